#include "sim/host/kernel/TimerWheel.hpp"

#include <algorithm>
#include <stdexcept>

namespace iscsim::host::kernel {
namespace {

constexpr int kVectors = 4;  // tv2..tv5 beyond tv1

unsigned log2_exact(std::uint32_t n, const char* what) {
  if (n == 0 || (n & (n - 1)) != 0) throw std::invalid_argument(std::string("TimerWheel: ") + what + " must be a power of two");
  unsigned bits = 0;
  while ((1u << bits) < n) ++bits;
  return bits;
}

}  // namespace

TimerWheel::TimerWheel(models::AddressSpace& memory, const TimerWheelLayout& layout, models::Picos jiffy)
    : layout_(layout), jiffy_(jiffy) {
  if (!modelled()) return;
  root_bits_ = log2_exact(layout.root_buckets, "root_buckets");
  vector_bits_ = log2_exact(layout.vector_buckets, "vector_buckets");
  lock_ = memory.region(layout.lock_bytes);
  root_ = memory.region(std::uint64_t{layout.root_buckets} * layout.list_head_bytes);
  vectors_ = memory.region(std::uint64_t{kVectors} * layout.vector_buckets * layout.list_head_bytes);
}

std::uint64_t TimerWheel::jiffies(models::Picos t) const { return t > 0 ? static_cast<std::uint64_t>(t / jiffy_) : 0; }

models::Addr TimerWheel::bucket(std::uint64_t expires, std::uint64_t now) const {
  const std::uint64_t head = layout_.list_head_bytes;
  // internal_add_timer: tv1 by the jiffy itself, then tv2-tv5 by ever higher bits of it; a timer
  // already due goes into the bucket run next.
  if (expires < now) return root_ + (now & (layout_.root_buckets - 1)) * head;
  const std::uint64_t idx = expires - now;
  if (idx < layout_.root_buckets) return root_ + (expires & (layout_.root_buckets - 1)) * head;
  for (int v = 0; v < kVectors; ++v) {
    const unsigned shift = root_bits_ + static_cast<unsigned>(v) * vector_bits_;
    if (v + 1 == kVectors || idx < (std::uint64_t{1} << (shift + vector_bits_))) {
      const std::uint64_t i = (expires >> shift) & (layout_.vector_buckets - 1);
      return vectors_ + (static_cast<std::uint64_t>(v) * layout_.vector_buckets + i) * head;
    }
  }
  return root_;  // not reached: the last vector takes every later jiffy
}

void TimerWheel::drop_run(std::vector<models::Addr>& list, std::uint64_t now) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](models::Addr t) {
                              auto it = pending_.find(t);
                              if (it == pending_.end() || it->second.expires > now) return false;
                              pending_.erase(it);
                              return true;
                            }),
             list.end());
}

std::vector<models::Addr> TimerWheel::queued(models::Addr head, models::Picos now) {
  auto it = buckets_.find(head);
  if (it == buckets_.end() || jiffy_ <= 0) return {};
  drop_run(it->second, jiffies(now));
  return it->second;
}

void TimerWheel::add(Call& call, const models::Touch& t) const {
  for (std::size_t i = 0; i < call.count; ++i)
    if (call.touches[i].addr == t.addr) return;
  call.touches[call.count++] = t;
}

TimerWheel::Call TimerWheel::locked(models::Addr timer) const {
  Call call;
  if (!modelled()) return call;
  add(call, {lock_, layout_.lock_bytes, true, true});
  add(call, {timer, layout_.timer_list_bytes, true});
  return call;
}

void TimerWheel::detach(Call& call, models::Addr timer, std::uint64_t j) {
  const std::uint32_t link = layout_.list_head_bytes;
  // detach_timer: list_del writes the neighbours' links, if the timer has not run yet.
  auto p = pending_.find(timer);
  if (p != pending_.end()) {
    std::vector<models::Addr>& old = buckets_[p->second.bucket];
    const models::Addr old_head = p->second.bucket;
    drop_run(old, j);
    const auto at = std::find(old.begin(), old.end(), timer);
    if (at != old.end()) {
      const models::Addr prev = at == old.begin() ? old_head : *(at - 1);
      const models::Addr next = at + 1 == old.end() ? old_head : *(at + 1);
      add(call, models::stored(prev, link));
      add(call, models::stored(next, link));
      old.erase(at);
    }
    pending_.erase(timer);  // by key: drop_run may have erased it (a timer already run)
  }
}

TimerWheel::Call TimerWheel::del_timer(models::Addr timer, models::Picos now) {
  Call call = locked(timer);
  if (modelled() && jiffy_ > 0) detach(call, timer, jiffies(now));
  return call;
}

TimerWheel::Call TimerWheel::mod_timer(models::Addr timer, models::Picos expires, models::Picos now) {
  Call call = locked(timer);
  if (!modelled() || jiffy_ <= 0) return call;  // no tick (HZ 0): no jiffy orders the buckets
  const std::uint32_t link = layout_.list_head_bytes;
  const std::uint64_t j = jiffies(now);
  detach(call, timer, j);
  // internal_add_timer: list_add at the bucket's tail reads the head's prev, and writes it and
  // the old tail's next.
  const std::uint64_t due = jiffies(expires);
  const models::Addr head = bucket(due, j);
  std::vector<models::Addr>& list = buckets_[head];
  drop_run(list, j);
  add(call, {head, link, true});
  if (!list.empty()) add(call, models::stored(list.back(), link));
  list.push_back(timer);
  pending_[timer] = {head, due};
  return call;
}

}  // namespace iscsim::host::kernel

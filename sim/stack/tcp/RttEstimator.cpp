#include "sim/stack/tcp/RttEstimator.hpp"

#include <algorithm>
#include <cstdlib>

namespace iscsim::stack::tcp {

namespace {
// RFC 6298 section 2: alpha = 1/8, beta = 1/4, K = 4.
constexpr Nanos kAlphaShift = 3;
constexpr Nanos kBetaShift = 2;
constexpr Nanos kK = 4;
// Backoff beyond this many doublings is past any rto_max anyway; it keeps the shift defined.
constexpr std::uint32_t kMaxShift = 30;
}  // namespace

void RttEstimator::sample(Nanos rtt) {
  rtt = std::max<Nanos>(rtt, 0);
  if (!has_sample_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    has_sample_ = true;
  } else {
    rttvar_ += (std::llabs(srtt_ - rtt) - rttvar_) >> kBetaShift;
    srtt_ += (rtt - srtt_) >> kAlphaShift;
  }
  rto_ = std::clamp(srtt_ + kK * rttvar_, min_rto_, max_rto_);
}

Nanos RttEstimator::rto() const {
  const std::uint32_t shift = std::min(backoffs_, kMaxShift);
  if (rto_ > (max_rto_ >> shift)) return max_rto_;
  return std::min(rto_ << shift, max_rto_);
}

}  // namespace iscsim::stack::tcp

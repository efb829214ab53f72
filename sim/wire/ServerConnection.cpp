#include "sim/wire/ServerConnection.hpp"

#include <cerrno>

#include <sys/socket.h>
#include <unistd.h>

#include "sim/stack/iscsi/Login.hpp"

namespace iscsim::wire {

namespace {

using stack::iscsi::TargetSession;
namespace iscsi = stack::iscsi;

// Output a connection may queue before we stop reading its requests: room for a few maximal
// reads (32 MiB each) so a pipelining initiator keeps going, bounded so one that never reads
// its responses cannot make the server grow without limit.
constexpr std::size_t kMaxQueuedOutput = 96u << 20;
// A session that ended (logout, failure) gets this long to take its last PDUs.
constexpr std::chrono::seconds kCloseLinger{5};

}  // namespace

ServerConnection::ServerConnection(UniqueFd fd, std::string peer, const iscsi::TargetConfig& config,
                                   stack::scsi::ScsiTarget& device, Clock::time_point deadline, bool refuse)
    : fd_(std::move(fd)),
      peer_(std::move(peer)),
      session_(config),
      device_(device),
      deadline_(deadline),
      refuse_(refuse),
      scratch_(kReadBytes) {}

bool ServerConnection::wants_read() { return !closing_ && session_.output().size() < kMaxQueuedOutput; }

std::string ServerConnection::failure() const {
  if (!io_error_.empty()) return io_error_;
  return session_.state() == TargetSession::State::Failed ? session_.failure() : std::string();
}

ServerConnection::Verdict ServerConnection::on_readable() {
  const ssize_t n = ::recv(fd_.get(), scratch_.data(), scratch_.size(), 0);
  if (n == 0) {
    peer_closed_ = true;
    return Verdict::Close;
  }
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Verdict::Keep;
    io_error_ = os_error("recv");
    return Verdict::Close;
  }
  const auto* bytes = scratch_.data();
  const auto len = static_cast<std::size_t>(n);
  if (refuse_) {
    refusal_decoder_.feed(bytes, len);
    refuse_login();
  } else {
    session_.on_bytes(bytes, len);
    run_commands();
  }
  return after_io();
}

ServerConnection::Verdict ServerConnection::on_writable() { return after_io(); }

void ServerConnection::run_commands() {
  for (auto& c : session_.take_commands()) {
    const std::uint64_t lun = stack::scsi::lun_number(c.lun);
    auto r = device_.execute(lun, c.cdb.data(), c.cdb.size(), c.data_out.data(), c.data_out.size());
    iscsi::CommandResult result;
    result.status = static_cast<std::uint8_t>(r.status);
    result.data_in = std::move(r.data_in);
    result.sense = std::move(r.sense);
    result.data_out_wanted = r.data_out_wanted;
    session_.complete(c.id, result);
  }
}

// RFC 7143 section 11.13.5: status class 3 (target error), detail 2 (out of resources).
void ServerConnection::refuse_login() {
  const auto req = refusal_decoder_.next();
  if (!req) {
    if (refusal_decoder_.error() != iscsi::PduDecoder::Error::None) {
      io_error_ = "refused: too many sessions";
      closing_ = true;
    }
    return;
  }
  iscsi::Pdu p;
  p.bhs.set_opcode(iscsi::Opcode::LoginResponse);
  for (std::size_t i = 0; i < iscsi::login::kIsidBytes; ++i)
    p.bhs.set_u8(iscsi::login::kIsid + i, req->bhs.u8(iscsi::login::kIsid + i));
  p.bhs.set_itt(req->bhs.itt());
  p.bhs.set_u8(iscsi::login::kStatusClass, iscsi::login::kTargetError);
  p.bhs.set_u8(iscsi::login::kStatusDetail, iscsi::login::kOutOfResources);
  std::vector<std::uint8_t> bytes;
  iscsi::encode_pdu(p, iscsi::DigestSettings{}, bytes);
  session_.output().append(bytes.data(), bytes.size());
  io_error_ = "refused: too many sessions";
  closing_ = true;
}

ServerConnection::Verdict ServerConnection::after_io() {
  auto& out = session_.output();
  while (!out.empty()) {
    const ssize_t n = ::send(fd_.get(), out.front(), out.front_size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      io_error_ = os_error("send");
      return Verdict::Close;
    }
    out.consume(static_cast<std::size_t>(n));
  }
  const auto state = session_.state();
  if (state == TargetSession::State::FullFeature && deadline_ && !closing_) deadline_.reset();
  // Error recovery level 0: a failed or logged-out session closes once its last words are out.
  if (!closing_ && (state == TargetSession::State::Failed || state == TargetSession::State::LoggedOut)) {
    closing_ = true;
    deadline_ = Clock::now() + kCloseLinger;
  }
  if (closing_ && out.empty()) return Verdict::Close;
  return Verdict::Keep;
}

}  // namespace iscsim::wire

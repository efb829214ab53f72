#include "sim/stack/iscsi/InitiatorSession.hpp"

#include <algorithm>
#include <cstring>

#include "sim/stack/common/BigEndian.hpp"
#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::iscsi {

InitiatorSession::InitiatorSession(InitiatorConfig config) : config_(std::move(config)) {}

std::uint32_t InitiatorSession::next_itt() {
  if (++itt_ == kReservedTag) itt_ = 0;
  return itt_;
}

void InitiatorSession::connect() {
  channel_.reset();
  // Login PDUs may not exceed the default MaxRecvDataSegmentLength (section 13.12): a target
  // announcing more is refused before anything is set aside for it.
  channel_.set_max_receive(OperationalPrefs{}.max_recv_data_segment_length);
  // Everything sent on the old connection and not completed goes again, in its original order.
  std::vector<Task> again;
  for (auto& [itt, t] : active_) again.push_back(std::move(t));
  active_.clear();
  std::sort(again.begin(), again.end(), [](const Task& a, const Task& b) { return a.order < b.order; });
  stats_.reissued += again.size();
  for (auto it = again.rbegin(); it != again.rend(); ++it) pending_.push_front(std::move(*it));
  failure_.clear();
  state_ = State::LoggingIn;
  ++stats_.logins;
  login_ = std::make_unique<LoginInitiator>(config_.identity, config_.prefs, next_itt(), cmd_sn_,
                                            config_.seed + stats_.logins);
  channel_.send(login_->start());
}

void InitiatorSession::connection_lost(const std::string& why) {
  if (state_ != State::LoggedOut) fail(why);
}

void InitiatorSession::fail(const std::string& why) {
  if (state_ == State::Failed) return;
  state_ = State::Failed;
  failure_ = why;
}

void InitiatorSession::submit(ScsiRequest request) {
  Task t;
  t.order = next_order_++;
  t.request = std::move(request);
  pending_.push_back(std::move(t));
  send_ready();
}

void InitiatorSession::logout() {
  if (state_ != State::FullFeature) return;
  state_ = State::LoggingOut;
  logout_itt_ = next_itt();
  channel_.send(logout_request(logout_itt_, logout::kCloseSession, 0, cmd_sn_, exp_stat_sn_));
}

std::vector<ScsiCompletion> InitiatorSession::take_completions() {
  std::vector<ScsiCompletion> out;
  out.swap(completions_);
  return out;
}

void InitiatorSession::on_bytes(const std::uint8_t* data, std::size_t len) {
  if (state_ == State::Failed || state_ == State::Idle) return;
  channel_.lend(data, len);
  while (state_ != State::Failed) {
    if (!channel_.next(received_)) break;
    if (state_ == State::LoggingIn)
      login_step(received_);
    else
      handle(received_);
  }
  channel_.settle();
  if (channel_.failed()) fail(channel_.error_text());
  send_ready();
}

void InitiatorSession::login_step(const Pdu& pdu) {
  auto next = login_->on_response(pdu);
  if (next) {
    channel_.send(*next);
    return;
  }
  if (login_->outcome() == LoginOutcome::Failed) {
    login_refused_ = login_->status() != 0;
    fail(login_->error());
    return;
  }
  params_ = login_->params();
  exp_stat_sn_ = login_->exp_stat_sn();
  max_cmd_sn_ = login_->max_cmd_sn();
  cmd_sn_ = login_->exp_cmd_sn();
  channel_.set_digests(params_.digests);
  channel_.set_max_receive(params_.initiator_max_recv_data_segment);
  state_ = State::FullFeature;
}

void InitiatorSession::note_target_sn(const Bhs& b, bool carries_status) {
  if (carries_status) exp_stat_sn_ = b.u32(bhs::kStatSn) + 1;
  const std::uint32_t exp = b.u32(bhs::kExpCmdSn);
  const std::uint32_t max = b.u32(bhs::kMaxCmdSn);
  // Section 4.2.2.1: a MaxCmdSN below ExpCmdSN - 1 is ignored; the window only ever opens.
  if (seq_geq(max, exp - 1) && seq_gt(max, max_cmd_sn_)) max_cmd_sn_ = max;
}

void InitiatorSession::send_ready() {
  if (state_ != State::FullFeature) return;
  while (!pending_.empty() && seq_leq(cmd_sn_, max_cmd_sn_)) {
    Task t = std::move(pending_.front());
    pending_.pop_front();
    send_command(std::move(t));
  }
}

void InitiatorSession::send_command(Task t) {
  const ScsiRequest& r = t.request;
  t.itt = next_itt();
  t.next_data_sn = 0;
  t.data_in_bytes = 0;
  if (r.direction == DataDirection::Read) {
    if (t.request.read_buffer.capacity() > 0) t.data_in = std::move(t.request.read_buffer);
    t.data_in.assign(r.transfer_length, 0);  // what the target does not send reads as zeros
  }
  ScsiCommandFields f;
  f.lun = r.lun;
  f.itt = t.itt;
  f.expected_length = r.transfer_length;
  f.cmd_sn = cmd_sn_++;
  f.exp_stat_sn = exp_stat_sn_;
  f.direction = r.direction;
  f.cdb = r.cdb;
  std::uint32_t immediate = 0;
  std::uint32_t unsolicited = 0;
  if (r.direction == DataDirection::Write) {
    const std::uint32_t first_burst = std::min(r.transfer_length, params_.first_burst_length);
    if (params_.immediate_data) immediate = std::min(first_burst, params_.target_max_recv_data_segment);
    if (!params_.initial_r2t) unsolicited = first_burst;
    f.final = unsolicited <= immediate;
  }
  // Immediate data encoded from where it lies, as Data-Out's is (no copy into the PDU first).
  channel_.send(scsi_command(f, nullptr, 0), r.write_data.data(), immediate);
  ++stats_.commands_sent;
  if (unsolicited > immediate) send_data_out(t, kReservedTag, immediate, unsolicited - immediate);
  active_.emplace(t.itt, std::move(t));
}

void InitiatorSession::send_data_out(const Task& t, std::uint32_t ttt, std::uint32_t offset, std::uint32_t length) {
  const std::uint32_t end = offset + length;
  std::uint32_t data_sn = 0;
  for (std::uint32_t at = offset; at < end;) {
    const std::uint32_t n = std::min(end - at, params_.target_max_recv_data_segment);
    DataFields f;
    f.lun = t.request.lun;
    f.itt = t.itt;
    f.ttt = ttt;
    f.data_sn = data_sn++;
    f.offset = at;
    f.final = at + n == end;
    channel_.send(data_out_pdu(f, exp_stat_sn_), t.request.write_data.data() + at, n);
    at += n;
  }
}

void InitiatorSession::handle(const Pdu& pdu) {
  const auto op = pdu.bhs.opcode();
  if (!op) return fail("unknown opcode from target");
  switch (*op) {
    case Opcode::DataIn: return on_data_in(pdu);
    case Opcode::R2t: return on_r2t(pdu);
    case Opcode::ScsiResponse: return on_response(pdu);
    case Opcode::NopIn: return on_nop_in(pdu);
    case Opcode::LogoutResponse:
      note_target_sn(pdu.bhs, true);
      if (pdu.bhs.itt() == logout_itt_) state_ = State::LoggedOut;
      return;
    case Opcode::TaskMgmtResponse:
    case Opcode::TextResponse:
      note_target_sn(pdu.bhs, true);
      return;
    case Opcode::AsyncMessage:
      note_target_sn(pdu.bhs, true);
      return;
    case Opcode::Reject:
      note_target_sn(pdu.bhs, true);
      return fail("target rejected a PDU (reason " + std::to_string(pdu.bhs.u8(reject::kReason)) + ")");
    default:
      return fail("unexpected opcode from target: " + std::string(opcode_name(*op)));
  }
}

void InitiatorSession::on_data_in(const Pdu& pdu) {
  const bool has_status = (pdu.bhs.u8(bhs::kFlags) & data_in::kStatusPresent) != 0;
  note_target_sn(pdu.bhs, has_status);
  auto it = active_.find(pdu.bhs.itt());
  if (it == active_.end()) return fail("Data-In for an unknown task");
  Task& t = it->second;
  const std::uint32_t offset = pdu.bhs.u32(bhs::kBufferOffset);
  const std::uint64_t end = std::uint64_t{offset} + pdu.data.size();
  if (t.request.direction != DataDirection::Read || end > t.data_in.size())
    return fail("Data-In beyond the expected data transfer length");
  if (pdu.bhs.u32(bhs::kDataSn) != t.next_data_sn) return fail("Data-In out of DataSN order");
  ++t.next_data_sn;
  if (!pdu.data.empty()) std::memcpy(t.data_in.data() + offset, pdu.data.data(), pdu.data.size());
  t.data_in_bytes += static_cast<std::uint32_t>(pdu.data.size());
  if (!has_status) return;
  ScsiCompletion c;
  c.status = pdu.bhs.u8(data_in::kStatus);
  c.residual_flags = pdu.bhs.u8(bhs::kFlags) & (data_in::kOverflow | data_in::kUnderflow);
  c.residual = pdu.bhs.u32(bhs::kResidualCount);
  complete(t, c);
}

void InitiatorSession::on_r2t(const Pdu& pdu) {
  note_target_sn(pdu.bhs, false);
  ++stats_.r2ts;
  auto it = active_.find(pdu.bhs.itt());
  if (it == active_.end()) return fail("R2T for an unknown task");
  const Task& t = it->second;
  const std::uint32_t offset = pdu.bhs.u32(bhs::kBufferOffset);
  const std::uint32_t length = pdu.bhs.u32(bhs::kDesiredLength);
  if (t.request.direction != DataDirection::Write || length == 0 ||
      std::uint64_t{offset} + length > t.request.transfer_length || length > params_.max_burst_length)
    return fail("R2T outside the command's data");
  send_data_out(t, pdu.bhs.u32(bhs::kTtt), offset, length);
}

void InitiatorSession::on_response(const Pdu& pdu) {
  note_target_sn(pdu.bhs, true);
  auto it = active_.find(pdu.bhs.itt());
  if (it == active_.end()) return fail("SCSI Response for an unknown task");
  ScsiCompletion c;
  c.response = pdu.bhs.u8(scsi_rsp::kResponse);
  c.status = pdu.bhs.u8(scsi_rsp::kStatus);
  c.residual_flags = pdu.bhs.u8(bhs::kFlags) & (scsi_rsp::kOverflow | scsi_rsp::kUnderflow);
  c.residual = pdu.bhs.u32(bhs::kResidualCount);
  if (pdu.data.size() >= scsi_rsp::kSenseLengthBytes) {
    const std::size_t n = std::min<std::size_t>(load_be<scsi_rsp::kSenseLengthBytes>(pdu.data.data()),
                                                pdu.data.size() - scsi_rsp::kSenseLengthBytes);
    c.sense.assign(pdu.data.begin() + scsi_rsp::kSenseLengthBytes,
                   pdu.data.begin() + static_cast<std::ptrdiff_t>(scsi_rsp::kSenseLengthBytes + n));
  }
  complete(it->second, c);
}

void InitiatorSession::on_nop_in(const Pdu& pdu) {
  const std::uint32_t ttt = pdu.bhs.u32(bhs::kTtt);
  note_target_sn(pdu.bhs, pdu.bhs.itt() != kReservedTag);
  // A target ping (TTT set) wants a NOP-Out back with the same TTT.
  if (ttt != kReservedTag) channel_.send(nop_out(kReservedTag, ttt, cmd_sn_, exp_stat_sn_));
}

void InitiatorSession::complete(Task& t, const ScsiCompletion& result) {
  const std::uint32_t itt = t.itt;
  ScsiCompletion c = result;
  c.tag = t.request.tag;
  c.data = std::move(t.data_in);
  c.write_data = std::move(t.request.write_data);
  completions_.push_back(std::move(c));
  ++stats_.completions;
  active_.erase(itt);
}

}  // namespace iscsim::stack::iscsi

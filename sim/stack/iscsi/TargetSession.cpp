#include "sim/stack/iscsi/TargetSession.hpp"

#include <algorithm>
#include <cstring>

#include "sim/stack/common/SeqNum.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {

TargetSession::TargetSession(TargetConfig config) : config_(std::move(config)) {
  login_ = std::make_unique<LoginTarget>(config_.identity, config_.prefs, config_.tsih, config_.initial_stat_sn,
                                         config_.command_window, config_.seed);
  // Login PDUs may not exceed the default MaxRecvDataSegmentLength (section 13.12).
  channel_.set_max_receive(OperationalPrefs{}.max_recv_data_segment_length);
}

TargetSn TargetSession::sn(bool advance_stat_sn) {
  TargetSn s;
  s.stat_sn = advance_stat_sn ? stat_sn_++ : stat_sn_;
  s.exp_cmd_sn = exp_cmd_sn_;
  // The window reopens only as commands complete, so MaxCmdSN never moves back.
  s.max_cmd_sn = exp_cmd_sn_ - in_progress_ + config_.command_window - 1;
  return s;
}

void TargetSession::fail(const std::string& why) {
  if (state_ == State::Failed) return;
  state_ = State::Failed;
  failure_ = why;
}

void TargetSession::on_bytes(const std::uint8_t* data, std::size_t len) {
  if (state_ == State::Failed || state_ == State::LoggedOut) return;
  channel_.lend(data, len);
  while (state_ == State::LoggingIn || state_ == State::FullFeature) {
    if (!channel_.next(received_)) break;
    if (state_ == State::FullFeature) {
      handle(received_);
      continue;
    }
    channel_.send(login_->on_request(received_));
    if (login_->outcome() == LoginOutcome::Failed) fail("login refused: " + login_->error());
    if (login_->outcome() != LoginOutcome::Succeeded) continue;
    params_ = login_->params();
    stat_sn_ = login_->next_stat_sn();
    exp_cmd_sn_ = login_->exp_cmd_sn();
    channel_.set_digests(params_.digests);
    channel_.set_max_receive(params_.target_max_recv_data_segment);
    state_ = State::FullFeature;
  }
  channel_.settle();
  if (channel_.failed()) fail(channel_.error_text());
}

void TargetSession::recycle(std::vector<std::uint8_t>&& data_out) {
  if (data_out.capacity() > 0) spare_data_out_.push_back(std::move(data_out));
}

std::vector<TargetCommand> TargetSession::take_commands() {
  std::vector<TargetCommand> out;
  out.swap(ready_);
  return out;
}

bool TargetSession::accept_cmd_sn(const Bhs& b) {
  if (b.immediate()) return true;
  // One connection over TCP delivers commands in order; anything else is outside the window
  // and is ignored (section 4.2.2.1).
  if (b.u32(bhs::kCmdSn) != exp_cmd_sn_) return false;
  ++exp_cmd_sn_;
  return true;
}

void TargetSession::reject(std::uint8_t reason, const Bhs& b) {
  channel_.send(reject_pdu(reason, b, sn(true)));
  ++stats_.rejects;
}

void TargetSession::handle(const Pdu& pdu) {
  const auto op = pdu.bhs.opcode();
  if (!op) return reject(reject::kCommandNotSupported, pdu.bhs);
  switch (*op) {
    case Opcode::ScsiCommand: return on_command(pdu);
    case Opcode::DataOut: return on_data_out(pdu);
    case Opcode::NopOut: return on_nop_out(pdu);
    case Opcode::TextRequest: return on_text(pdu);
    case Opcode::TaskMgmtRequest: return on_task_mgmt(pdu);
    case Opcode::LogoutRequest: return on_logout(pdu);
    case Opcode::Snack: return reject(reject::kCommandNotSupported, pdu.bhs);  // no SNACK at ERL 0
    default: return reject(reject::kProtocolError, pdu.bhs);
  }
}

void TargetSession::on_command(const Pdu& pdu) {
  const Bhs& b = pdu.bhs;
  const std::uint8_t flags = b.u8(bhs::kFlags);
  const bool read = (flags & scsi_cmd::kRead) != 0;
  const bool write = (flags & scsi_cmd::kWrite) != 0;
  const std::uint32_t edtl = b.u32(bhs::kExpectedDataLength);
  const auto imm = static_cast<std::uint32_t>(pdu.data.size());
  if ((read && write) || (!read && !write && edtl != 0) || (imm > 0 && (!write || !params_.immediate_data)) ||
      imm > edtl || imm > params_.first_burst_length || edtl > config_.max_transfer_bytes)
    return reject(reject::kInvalidPduField, b);
  if (tasks_.count(b.itt()) != 0) return fail("SCSI Command reuses a task tag in use");
  if (!accept_cmd_sn(b)) return;
  Task t;
  t.id = next_id_++;
  t.itt = b.itt();
  t.command.id = t.id;
  t.command.lun = b.u64(bhs::kLun);
  for (std::size_t i = 0; i < bhs::kCdbBytes; ++i) t.command.cdb[i] = b.u8(bhs::kCdb + i);
  t.command.expected_length = edtl;
  t.command.direction = read ? DataDirection::Read : write ? DataDirection::Write : DataDirection::None;
  if (write) {
    // The buffer grows as data arrives, not to the announced length: a client announcing large
    // writes it never sends must not make the target allocate them.
    if (!spare_data_out_.empty()) {
      t.command.data_out = std::move(spare_data_out_.back());
      spare_data_out_.pop_back();
    }
    t.command.data_out.assign(pdu.data.begin(), pdu.data.end());
    t.received = imm;
    const bool more_unsolicited = !b.final_bit() && !params_.initial_r2t;
    t.unsolicited_end = more_unsolicited ? std::min(edtl, params_.first_burst_length) : imm;
    t.next_r2t_offset = t.unsolicited_end;
  }
  ++in_progress_;
  ++stats_.commands;
  itt_of_[t.id] = t.itt;
  waiting_.push_back(t.id);
  tasks_.emplace(t.itt, std::move(t));
  start_waiting();
}

void TargetSession::start(Task& t) {
  t.started = true;
  ++started_;
  issue_r2ts(t);
  maybe_ready(t);
}

void TargetSession::start_waiting() {
  // A session that has failed or logged out begins nothing more; what waited is dropped with it.
  if (state_ != State::FullFeature) return;
  while (!waiting_.empty() && (config_.commands_at_once == 0 || started_ < config_.commands_at_once)) {
    const auto itt = itt_of_.find(waiting_.front());
    waiting_.pop_front();
    if (itt == itt_of_.end()) continue;  // aborted while it waited
    start(tasks_.at(itt->second));
  }
}

void TargetSession::issue_r2ts(Task& t) {
  if (t.command.direction != DataDirection::Write) return;
  const std::uint32_t edtl = t.command.expected_length;
  while (t.open_r2ts < params_.max_outstanding_r2t && t.next_r2t_offset < edtl) {
    const std::uint32_t len = std::min(params_.max_burst_length, edtl - t.next_r2t_offset);
    if (next_ttt_ == kReservedTag) next_ttt_ = 0;
    const std::uint32_t ttt = next_ttt_++;
    t.r2t_bursts[ttt] = Task::Burst{t.next_r2t_offset + len, 0};
    channel_.send(r2t(t.command.lun, t.itt, ttt, sn(false), t.r2t_sn++, t.next_r2t_offset, len));
    ++t.open_r2ts;
    ++stats_.r2ts;
    t.next_r2t_offset += len;
  }
}

void TargetSession::on_data_out(const Pdu& pdu) {
  const Bhs& b = pdu.bhs;
  auto it = tasks_.find(b.itt());
  if (it == tasks_.end() || it->second.executing) return fail("Data-Out for no command awaiting data");
  Task& t = it->second;
  const std::uint32_t ttt = b.u32(bhs::kTtt);
  const std::uint64_t offset = b.u32(bhs::kBufferOffset);
  const std::uint64_t end = offset + pdu.data.size();
  std::uint64_t limit = t.unsolicited_end;
  std::uint32_t* data_sn = &t.unsolicited_data_sn;
  auto burst = t.r2t_bursts.end();
  if (ttt != kReservedTag) {
    burst = t.r2t_bursts.find(ttt);
    if (burst == t.r2t_bursts.end()) return fail("Data-Out with an unknown target transfer tag");
    limit = burst->second.end;
    data_sn = &burst->second.next_data_sn;
  }
  if (end > limit) return fail("Data-Out beyond its burst");
  // Error recovery level 0 cannot ask for a lost Data-Out again: a gap or repeat in DataSN is a
  // protocol error that fails the connection (libiscsi's iSCSI.iSCSIdatasn tests send them).
  if (b.u32(bhs::kDataSn) != *data_sn) return fail("Data-Out out of DataSN order");
  ++*data_sn;
  // Room for the whole burst once its data starts to arrive: the target asked for that much
  // itself, and the buffer then grows without moving what it holds.
  std::vector<std::uint8_t>& buffer = t.command.data_out;
  if (buffer.capacity() < limit) buffer.reserve(limit);
  if (offset == buffer.size()) {
    buffer.insert(buffer.end(), pdu.data.begin(), pdu.data.end());  // in order: appended, no zero fill first
  } else {
    if (buffer.size() < end) buffer.resize(end);
    if (!pdu.data.empty()) std::memcpy(buffer.data() + offset, pdu.data.data(), pdu.data.size());
  }
  t.received += static_cast<std::uint32_t>(pdu.data.size());
  if (b.final_bit() && burst != t.r2t_bursts.end()) {
    t.r2t_bursts.erase(burst);
    --t.open_r2ts;
    issue_r2ts(t);
  }
  maybe_ready(t);
}

void TargetSession::maybe_ready(Task& t) {
  if (t.executing || !t.started) return;
  if (t.command.direction == DataDirection::Write &&
      (t.received < t.command.expected_length || t.next_r2t_offset < t.command.expected_length))
    return;
  t.executing = true;
  if (t.command.direction == DataDirection::Write) t.command.data_out.resize(t.command.expected_length);
  ready_.push_back(std::move(t.command));
  t.command = TargetCommand{};
  t.command.id = ready_.back().id;
  t.command.lun = ready_.back().lun;
  t.command.expected_length = ready_.back().expected_length;
  t.command.direction = ready_.back().direction;
}

void TargetSession::complete(std::uint64_t id, const CommandResult& r) {
  const auto where = itt_of_.find(id);
  if (where == itt_of_.end()) return;
  const auto it = tasks_.find(where->second);
  itt_of_.erase(where);
  if (it == tasks_.end()) return;
  Task& t = it->second;
  --in_progress_;
  --started_;
  if (!t.aborted && state_ == State::FullFeature) {
    if (t.command.direction == DataDirection::Read) {
      send_read_data(t, r);
    } else {
      ResponseFields f;
      f.itt = t.itt;
      f.status = r.status;
      const std::uint32_t edtl = t.command.expected_length;
      if (r.data_out_wanted && *r.data_out_wanted > edtl) {
        f.residual_flags = scsi_rsp::kOverflow;
        f.residual = *r.data_out_wanted - edtl;
      } else if (r.data_out_wanted && *r.data_out_wanted < edtl) {
        f.residual_flags = scsi_rsp::kUnderflow;
        f.residual = edtl - *r.data_out_wanted;
      }
      channel_.send(scsi_response(f, sn(true), r.sense));
    }
  }
  tasks_.erase(it);
  start_waiting();
}

void TargetSession::send_read_data(const Task& t, const CommandResult& r) {
  const std::uint32_t edtl = t.command.expected_length;
  const auto produced = static_cast<std::uint32_t>(r.data_in.size());
  const std::uint32_t n = std::min(produced, edtl);
  ResponseFields f;
  f.itt = t.itt;
  f.status = r.status;
  if (produced < edtl) {
    f.residual_flags = scsi_rsp::kUnderflow;
    f.residual = edtl - produced;
  } else if (produced > edtl) {
    f.residual_flags = scsi_rsp::kOverflow;
    f.residual = produced - edtl;
  }
  const bool collapse = config_.status_in_data_in && r.sense.empty() && n > 0;
  std::uint32_t data_sn = 0;
  for (std::uint32_t at = 0; at < n;) {
    // A sequence ends at each MaxBurstLength boundary (F bit), and so does the last PDU.
    const std::uint32_t burst_end = std::min(n, (at / params_.max_burst_length + 1) * params_.max_burst_length);
    const std::uint32_t len = std::min(burst_end - at, params_.initiator_max_recv_data_segment);
    DataFields d;
    d.lun = t.command.lun;
    d.itt = t.itt;
    d.data_sn = data_sn++;
    d.offset = at;
    d.final = at + len == burst_end;
    const bool last = at + len == n;
    Pdu p = data_in_pdu(d, sn(last && collapse));
    if (last && collapse) set_data_in_status(p, r.status, f.residual_flags, f.residual);
    channel_.send(p, r.data_in.data() + at, len);
    at += len;
  }
  if (collapse) return;
  f.exp_data_sn = data_sn;
  channel_.send(scsi_response(f, sn(true), r.sense));
}

void TargetSession::on_nop_out(const Pdu& pdu) {
  if (!accept_cmd_sn(pdu.bhs)) return;
  // A NOP-Out with a task tag is a ping: echo its data. One answering our ping needs nothing.
  if (pdu.bhs.itt() != kReservedTag) channel_.send(nop_in(pdu.bhs.itt(), kReservedTag, pdu.bhs.u64(bhs::kLun), sn(true), pdu.data));
}

void TargetSession::on_text(const Pdu& pdu) {
  if (!accept_cmd_sn(pdu.bhs)) return;
  const TextParse parsed = parse_text(pdu.data.data(), pdu.data.size());
  if (!parsed.ok()) return reject(reject::kInvalidPduField, pdu.bhs);
  KeyValues reply;
  for (const auto& [key, value] : parsed.pairs) {
    if (key == "SendTargets") {
      if (value == "All" || value == config_.identity.target_name || (value.empty() && !discovery())) {
        reply.emplace_back("TargetName", config_.identity.target_name);
        if (!config_.identity.target_address.empty())
          reply.emplace_back("TargetAddress", config_.identity.target_address);
      }
    } else {
      reply.emplace_back(key, "NotUnderstood");
    }
  }
  channel_.send(text_response(pdu.bhs.itt(), sn(true), encode_text(reply)));
}

void TargetSession::on_task_mgmt(const Pdu& pdu) {
  if (!accept_cmd_sn(pdu.bhs)) return;
  const std::uint8_t function = pdu.bhs.u8(bhs::kFlags) & task_mgmt::kFunctionMask;
  const std::uint64_t lun = pdu.bhs.u64(bhs::kLun);
  std::uint8_t response = task_mgmt::kComplete;
  const auto abort = [this](std::unordered_map<std::uint32_t, Task>::iterator it) {
    ++stats_.aborted;
    if (it->second.executing) {
      it->second.aborted = true;  // its result is dropped when the LUN finishes it
      return std::next(it);
    }
    --in_progress_;
    if (it->second.started) --started_;  // a waiting one leaves waiting_ when start_waiting meets it
    itt_of_.erase(it->second.id);
    return tasks_.erase(it);
  };
  switch (function) {
    case task_mgmt::kAbortTask: {
      const auto it = tasks_.find(pdu.bhs.u32(task_mgmt::kReferencedTaskTag));
      if (it != tasks_.end()) {
        abort(it);
      } else if (seq_lt(pdu.bhs.u32(task_mgmt::kRefCmdSn), exp_cmd_sn_)) {
        // Received and already completed: "Task does not exist", which tells the initiator that
        // the task's response is on its way (libiscsi's AbortTaskSimpleAsync relies on it).
        response = task_mgmt::kTaskDoesNotExist;
      }
      // Otherwise the command has not arrived yet: complete, as section 11.5.1 b) requires.
      break;
    }
    case task_mgmt::kAbortTaskSet:
    case task_mgmt::kClearTaskSet:
    case task_mgmt::kLogicalUnitReset:
    case task_mgmt::kTargetWarmReset:
      for (auto it = tasks_.begin(); it != tasks_.end();)
        it = (function == task_mgmt::kTargetWarmReset || it->second.command.lun == lun) ? abort(it) : std::next(it);
      break;
    default:
      response = task_mgmt::kNotSupported;
  }
  channel_.send(task_mgmt_response(pdu.bhs.itt(), response, sn(true)));
  start_waiting();
}

void TargetSession::on_logout(const Pdu& pdu) {
  if (!accept_cmd_sn(pdu.bhs)) return;
  channel_.send(logout_response(pdu.bhs.itt(), logout::kSuccess, sn(true)));
  state_ = State::LoggedOut;
}

}  // namespace iscsim::stack::iscsi

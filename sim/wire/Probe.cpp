#include "sim/wire/Probe.hpp"

#include <algorithm>
#include <random>

#include "sim/stack/common/BigEndian.hpp"
#include "sim/stack/scsi/Cdb.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "sim/stack/scsi/Sense.hpp"
#include "sim/wire/InitiatorClient.hpp"

namespace iscsim::wire {

namespace {

namespace iscsi = stack::iscsi;
namespace scsi = stack::scsi;

constexpr std::uint16_t kInquiryAllocation = 96;
constexpr std::uint32_t kCapacity16Allocation = 32;
constexpr std::uint8_t kPeripheralTypeMask = 0x1F;
constexpr unsigned kPeripheralQualifierShift = 5;
// SPC-4 6.6.2: qualifier 011b, the target cannot support a device on this LUN.
constexpr std::uint8_t kNoLunQualifier = 0x03;
constexpr std::uint8_t kDirectAccess = 0x00;
// A target reports UNIT ATTENTION (power on, reset) once per I_T nexus; a few TEST UNIT
// READYs clear it.
constexpr int kUnitAttentionTries = 4;
constexpr std::uint8_t kSenseKeyMask = 0x0F;
constexpr std::uint8_t kDescriptorSenseMin = 0x72;
constexpr std::size_t kDescriptorKeyAt = 1;
constexpr std::uint32_t kMaxBlocks10 = 0xFFFF;  // READ/WRITE (10) transfer length field

std::string trimmed(const std::vector<std::uint8_t>& d, std::size_t at, std::size_t n) {
  std::string s;
  for (std::size_t i = at; i < at + n && i < d.size(); ++i) s.push_back(static_cast<char>(d[i]));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::uint8_t sense_key(const std::vector<std::uint8_t>& sense) {
  if (sense.size() <= scsi::sense_format::kFixedKeyAt) return 0;
  const bool descriptor = (sense[0] & 0x7F) >= kDescriptorSenseMin;
  return sense[descriptor ? kDescriptorKeyAt : scsi::sense_format::kFixedKeyAt] & kSenseKeyMask;
}

class Prober {
 public:
  Prober(InitiatorClient& client, std::uint64_t lun) : client_(client), lun_(scsi::lun_field(lun)) {}

  iscsi::ScsiCompletion run(const std::array<std::uint8_t, 16>& cdb, iscsi::DataDirection dir, std::uint32_t length,
                            std::vector<std::uint8_t> data = {}) {
    iscsi::ScsiRequest r;
    r.lun = lun_;
    r.cdb = cdb;
    r.direction = dir;
    r.transfer_length = length;
    r.write_data = std::move(data);
    return client_.execute(std::move(r));
  }

  iscsi::ScsiCompletion good(const char* what, const std::array<std::uint8_t, 16>& cdb, iscsi::DataDirection dir,
                             std::uint32_t length, std::vector<std::uint8_t> data = {}) {
    auto c = run(cdb, dir, length, std::move(data));
    if (c.response != iscsi::scsi_rsp::kCompleted || c.status != 0)
      throw WireError(std::string(what) + " failed: status " + std::to_string(c.status) + ", sense key " +
                      std::to_string(sense_key(c.sense)));
    return c;
  }

 private:
  InitiatorClient& client_;
  std::uint64_t lun_;
};

std::array<std::uint8_t, 16> rw_cdb(bool write, std::uint64_t lba, std::uint32_t blocks) {
  const bool use16 = lba + blocks > UINT32_MAX || blocks > kMaxBlocks10;
  return write ? scsi::write_cdb(lba, blocks, use16) : scsi::read_cdb(lba, blocks, use16);
}

void identify(Prober& p, ProbeReport& r) {
  const auto inq = p.good("INQUIRY", scsi::inquiry_cdb(false, 0, kInquiryAllocation), iscsi::DataDirection::Read,
                          kInquiryAllocation);
  if (inq.data.empty()) throw WireError("INQUIRY returned no data");
  r.peripheral_qualifier = static_cast<std::uint8_t>(inq.data[0] >> kPeripheralQualifierShift);
  r.peripheral_type = inq.data[0] & kPeripheralTypeMask;
  r.vendor = trimmed(inq.data, 8, 8);
  r.product = trimmed(inq.data, 16, 16);
  r.revision = trimmed(inq.data, 32, 4);
  if (r.peripheral_qualifier == kNoLunQualifier || r.peripheral_type != kDirectAccess) return;
  for (int i = 0;; ++i) {
    const auto tur = p.run(scsi::simple_cdb(scsi::op::kTestUnitReady), iscsi::DataDirection::None, 0);
    if (tur.status == 0) break;
    if (i + 1 == kUnitAttentionTries || sense_key(tur.sense) != scsi::sense_key::kUnitAttention)
      throw WireError("TEST UNIT READY failed: sense key " + std::to_string(sense_key(tur.sense)));
  }
  const auto cap = p.good("READ CAPACITY (16)", scsi::read_capacity16_cdb(kCapacity16Allocation),
                          iscsi::DataDirection::Read, kCapacity16Allocation);
  if (cap.data.size() < 12) throw WireError("READ CAPACITY (16) returned too little data");
  r.blocks = stack::load_be<8>(cap.data.data()) + 1;
  r.block_bytes = static_cast<std::uint32_t>(stack::load_be<4>(cap.data.data() + 8));
  if (r.block_bytes == 0) throw WireError("READ CAPACITY (16) reports 0-byte blocks");
}

void pattern_test(Prober& p, const ProbeOptions& o, ProbeReport& r) {
  const std::uint64_t want = std::max<std::uint64_t>(1, o.pattern_bytes / r.block_bytes);
  const auto blocks = static_cast<std::uint32_t>(std::min(want, r.blocks));
  const std::uint32_t bytes = blocks * r.block_bytes;
  // The middle of the LUN: away from partition tables and file-system superblocks.
  r.pattern_lba = (r.blocks - blocks) / 2;
  const auto original = p.good("READ", rw_cdb(false, r.pattern_lba, blocks), iscsi::DataDirection::Read, bytes).data;
  // A fresh pattern each run, so stale contents from an earlier probe cannot pass for it.
  std::mt19937_64 rng(std::random_device{}());
  std::vector<std::uint8_t> pattern(bytes);
  for (auto& b : pattern) b = static_cast<std::uint8_t>(rng());
  p.good("WRITE", rw_cdb(true, r.pattern_lba, blocks), iscsi::DataDirection::Write, bytes, pattern);
  const auto back = p.good("READ", rw_cdb(false, r.pattern_lba, blocks), iscsi::DataDirection::Read, bytes).data;
  r.pattern_bytes = bytes;
  const auto diff = std::mismatch(pattern.begin(), pattern.end(), back.begin(), back.end());
  r.pattern_verified = back.size() == pattern.size() && diff.first == pattern.end();
  if (!r.pattern_verified)
    r.mismatch = "first difference at byte " + std::to_string(diff.first - pattern.begin()) + " of " +
                 std::to_string(bytes) + " (" + std::to_string(back.size()) + " read back)";
  p.good("WRITE (restore)", rw_cdb(true, r.pattern_lba, blocks), iscsi::DataDirection::Write, bytes, original);
  r.restored = true;
}

}  // namespace

ProbeReport run_probe(const IscsiUrl& url, const ProbeOptions& o) {
  iscsi::InitiatorConfig cfg;
  cfg.identity.initiator_name = o.initiator_name;
  cfg.identity.target_name = url.target_name;
  cfg.identity.chap = url.chap;
  cfg.identity.mutual_chap = url.mutual_chap;
  cfg.seed = std::random_device{}();  // mutual CHAP challenges must not be predictable
  InitiatorClient client(url.portal, cfg, o.timeout);
  client.login();
  ProbeReport r;
  r.params = client.params();
  Prober p(client, url.lun);
  identify(p, r);
  if (r.block_bytes > 0 && r.blocks > 0) pattern_test(p, o, r);
  client.logout();
  r.logged_out = true;
  return r;
}

void print_probe(std::ostream& out, const IscsiUrl& url, const ProbeReport& r) {
  const auto& s = r.params;
  const char* auth = url.chap.empty() ? "none" : url.mutual_chap.empty() ? "CHAP" : "mutual CHAP";
  out << "target " << url.target_name << " at " << url.portal.to_string() << ", LUN " << url.lun << "\n"
      << "  login: ok (authentication " << auth << "); HeaderDigest " << (s.digests.header ? "CRC32C" : "None")
      << ", DataDigest " << (s.digests.data ? "CRC32C" : "None") << ", MaxRecvDataSegmentLength "
      << s.initiator_max_recv_data_segment << " (ours) / " << s.target_max_recv_data_segment << " (target's)"
      << ", MaxBurstLength " << s.max_burst_length << ", FirstBurstLength " << s.first_burst_length
      << ", InitialR2T " << (s.initial_r2t ? "Yes" : "No") << ", ImmediateData " << (s.immediate_data ? "Yes" : "No")
      << "\n"
      << "  inquiry: vendor \"" << r.vendor << "\", product \"" << r.product << "\", revision \"" << r.revision
      << "\", peripheral device type " << int{r.peripheral_type}
      << (r.peripheral_qualifier == kNoLunQualifier ? " (no device on this LUN)"
          : r.peripheral_type == kDirectAccess      ? " (block device)"
                                                    : " (not a block device)")
      << "\n";
  if (r.block_bytes > 0)
    out << "  capacity: " << r.blocks << " blocks of " << r.block_bytes << " bytes (" << r.blocks * r.block_bytes
        << " bytes)\n";
  if (r.pattern_bytes > 0)
    out << "  pattern: " << r.pattern_bytes << " bytes at LBA " << r.pattern_lba << " written and read back: "
        << (r.pattern_verified ? "verified" : "MISMATCH, " + r.mismatch)
        << (r.restored ? "; previous contents restored" : "") << "\n";
  else if (r.peripheral_qualifier == kNoLunQualifier)
    out << "  pattern: NOT TESTED, the target has no LUN " << url.lun << " (peripheral qualifier 3)\n";
  else if (r.peripheral_type != kDirectAccess)
    out << "  pattern: NOT TESTED, not a block device\n";
  else
    out << "  pattern: NOT TESTED, the LUN has no blocks\n";
  out << "  logout: " << (r.logged_out ? "ok" : "not done") << "\n";
}

}  // namespace iscsim::wire

#include "sim/stack/scsi/Sense.hpp"

namespace iscsim::stack::scsi {

namespace {
constexpr std::size_t kFixedSenseBytes = 18;
constexpr std::uint8_t kCurrentFixed = 0x70;
constexpr std::size_t kSenseKey = 2;
constexpr std::size_t kAdditionalLength = 7;
constexpr std::size_t kAsc = 12;
constexpr std::size_t kAscq = 13;
constexpr std::uint8_t kHeaderBytes = 8;  // bytes before the additional sense
}  // namespace

std::vector<std::uint8_t> SenseData::fixed_format() const {
  std::vector<std::uint8_t> s(kFixedSenseBytes, 0);
  s[0] = kCurrentFixed;
  s[kSenseKey] = key;
  s[kAdditionalLength] = static_cast<std::uint8_t>(kFixedSenseBytes - kHeaderBytes);
  s[kAsc] = asc;
  s[kAscq] = ascq;
  return s;
}

}  // namespace iscsim::stack::scsi

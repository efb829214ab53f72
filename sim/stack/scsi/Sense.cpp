#include "sim/stack/scsi/Sense.hpp"

namespace iscsim::stack::scsi {

namespace {
constexpr std::size_t kFixedHeaderBytes = 8;  // bytes up to and including ADDITIONAL SENSE LENGTH
constexpr std::size_t kDescriptorKeyAt = 1;
constexpr std::size_t kDescriptorAscAt = 2;
constexpr std::size_t kDescriptorAscqAt = 3;
}  // namespace

std::vector<std::uint8_t> SenseData::fixed_format() const {
  using namespace sense_format;
  std::vector<std::uint8_t> s(kFixedBytes, 0);
  s[0] = kFixedCurrent;
  s[kFixedKeyAt] = key;
  s[kFixedAdditionalLengthAt] = static_cast<std::uint8_t>(kFixedBytes - kFixedHeaderBytes);
  s[kFixedAscAt] = asc;
  s[kFixedAscqAt] = ascq;
  return s;
}

std::vector<std::uint8_t> SenseData::descriptor_format() const {
  using namespace sense_format;
  std::vector<std::uint8_t> s(kDescriptorBytes, 0);  // ADDITIONAL SENSE LENGTH 0: no descriptors
  s[0] = kDescriptorCurrent;
  s[kDescriptorKeyAt] = key;
  s[kDescriptorAscAt] = asc;
  s[kDescriptorAscqAt] = ascq;
  return s;
}

}  // namespace iscsim::stack::scsi

#include "sim/stack/iscsi/Bhs.hpp"

#include <cstring>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::iscsi {

Bhs::Bhs(const std::uint8_t* raw) { std::memcpy(bytes_.data(), raw, kBhsBytes); }

void Bhs::set_opcode(Opcode op, bool immediate) {
  bytes_[bhs::kOpcode] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) | (immediate ? bhs::kImmediateBit : 0));
}

void Bhs::set_final(bool f) {
  bytes_[bhs::kFlags] = static_cast<std::uint8_t>(f ? bytes_[bhs::kFlags] | bhs::kFinalBit
                                                    : bytes_[bhs::kFlags] & ~bhs::kFinalBit);
}

std::uint16_t Bhs::u16(std::size_t at) const { return static_cast<std::uint16_t>(load_be<2>(&bytes_[at])); }
std::uint32_t Bhs::u24(std::size_t at) const { return static_cast<std::uint32_t>(load_be<3>(&bytes_[at])); }
std::uint32_t Bhs::u32(std::size_t at) const { return static_cast<std::uint32_t>(load_be<4>(&bytes_[at])); }
std::uint64_t Bhs::u64(std::size_t at) const { return load_be<8>(&bytes_[at]); }
void Bhs::set_u16(std::size_t at, std::uint16_t v) { store_be<2>(&bytes_[at], v); }
void Bhs::set_u24(std::size_t at, std::uint32_t v) { store_be<3>(&bytes_[at], v); }
void Bhs::set_u32(std::size_t at, std::uint32_t v) { store_be<4>(&bytes_[at], v); }
void Bhs::set_u64(std::size_t at, std::uint64_t v) { store_be<8>(&bytes_[at], v); }

}  // namespace iscsim::stack::iscsi

#include "sim/stack/iscsi/Bhs.hpp"

#include <cstring>

namespace iscsim::stack::iscsi {

namespace {
constexpr unsigned kByteBits = 8;
}  // namespace

Bhs::Bhs(const std::uint8_t* raw) { std::memcpy(bytes_.data(), raw, kBhsBytes); }

void Bhs::set_opcode(Opcode op, bool immediate) {
  bytes_[bhs::kOpcode] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) | (immediate ? bhs::kImmediateBit : 0));
}

void Bhs::set_final(bool f) {
  bytes_[bhs::kFlags] = static_cast<std::uint8_t>(f ? bytes_[bhs::kFlags] | bhs::kFinalBit
                                                    : bytes_[bhs::kFlags] & ~bhs::kFinalBit);
}

std::uint16_t Bhs::u16(std::size_t at) const {
  return static_cast<std::uint16_t>(bytes_[at] << kByteBits | bytes_[at + 1]);
}
std::uint32_t Bhs::u24(std::size_t at) const {
  return static_cast<std::uint32_t>(bytes_[at]) << (2 * kByteBits) | static_cast<std::uint32_t>(u16(at + 1));
}
std::uint32_t Bhs::u32(std::size_t at) const {
  return static_cast<std::uint32_t>(u16(at)) << (2 * kByteBits) | u16(at + 2);
}
std::uint64_t Bhs::u64(std::size_t at) const {
  return static_cast<std::uint64_t>(u32(at)) << (4 * kByteBits) | u32(at + 4);
}
void Bhs::set_u16(std::size_t at, std::uint16_t v) {
  bytes_[at] = static_cast<std::uint8_t>(v >> kByteBits);
  bytes_[at + 1] = static_cast<std::uint8_t>(v);
}
void Bhs::set_u24(std::size_t at, std::uint32_t v) {
  bytes_[at] = static_cast<std::uint8_t>(v >> (2 * kByteBits));
  set_u16(at + 1, static_cast<std::uint16_t>(v));
}
void Bhs::set_u32(std::size_t at, std::uint32_t v) {
  set_u16(at, static_cast<std::uint16_t>(v >> (2 * kByteBits)));
  set_u16(at + 2, static_cast<std::uint16_t>(v));
}
void Bhs::set_u64(std::size_t at, std::uint64_t v) {
  set_u32(at, static_cast<std::uint32_t>(v >> (4 * kByteBits)));
  set_u32(at + 4, static_cast<std::uint32_t>(v));
}

}  // namespace iscsim::stack::iscsi

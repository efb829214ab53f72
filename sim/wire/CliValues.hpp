#pragma once
// Parsing of the values wire-mode commands take on their command line: byte sizes with units
// and CHAP credentials. Malformed input throws BadWireInput naming what was expected.
#include <cstdint>
#include <string>

#include "sim/stack/iscsi/Chap.hpp"

namespace iscsim::wire {

// "65536", "64K", "64KiB", "512M", "1G", "1GiB" (K, M, G, T are powers of 1024).
std::uint64_t parse_byte_size(const std::string& text);

// "USER:SECRET"; neither part empty. RFC 7143 section 12.1.3 asks for secrets of at least 12
// bytes but allows shorter ones, so we accept them (tgt and libiscsi do as well).
stack::iscsi::ChapCredential parse_chap_credential(const std::string& text);

}  // namespace iscsim::wire

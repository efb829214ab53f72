#pragma once
// The paper's nine profile bins (Foong et al., section 5.2 and Table 1): where a CPU's cycles go.
#include <array>
#include <cstddef>
#include <string_view>

namespace iscsim::models {

enum class Bin : std::size_t { Idle, Others, Scsi, Iscsi, Interface, Kernel, Tcp, Copies, Driver };

inline constexpr std::size_t kBinCount = 9;
inline constexpr std::array<std::string_view, kBinCount> kBinNames = {
    "idle", "others", "SCSI", "iSCSI", "Interface", "Kernel", "TCP", "Copies", "Driver"};

inline constexpr std::string_view bin_name(Bin b) { return kBinNames[static_cast<std::size_t>(b)]; }

}  // namespace iscsim::models

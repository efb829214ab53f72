#include "sim/wire/IscsiUrl.hpp"

#include <charconv>

#include "sim/stack/scsi/ScsiTarget.hpp"

namespace iscsim::wire {

namespace {

constexpr const char* kScheme = "iscsi://";
constexpr const char* kForm = " (expected iscsi://[USER%SECRET@]HOST[:PORT]/IQN/LUN)";

[[noreturn]] void bad(const std::string& url, const std::string& why) {
  throw BadWireInput("\"" + url + "\": " + why + kForm);
}

// "target_user=U&target_password=P"
void parse_arguments(const std::string& url, const std::string& query, IscsiUrl& u) {
  std::size_t at = 0;
  while (at <= query.size()) {
    const std::size_t amp = std::min(query.find('&', at), query.size());
    const std::string arg = query.substr(at, amp - at);
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos) bad(url, "URL argument \"" + arg + "\" has no '='");
    const std::string key = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    if (key == "target_user")
      u.mutual_chap.name = value;
    else if (key == "target_password")
      u.mutual_chap.secret = value;
    else
      bad(url, "unknown URL argument \"" + key + "\" (known: target_user, target_password)");
    at = amp + 1;
  }
  if (u.mutual_chap.name.empty() != u.mutual_chap.secret.empty())
    bad(url, "target_user and target_password go together");
  if (!u.mutual_chap.empty() && u.chap.empty()) bad(url, "mutual CHAP (target_user) needs USER%SECRET@ as well");
}

}  // namespace

IscsiUrl parse_iscsi_url(const std::string& text) {
  const std::string scheme = kScheme;
  if (text.rfind(scheme, 0) != 0) bad(text, "not an iscsi:// URL");
  std::string rest = text.substr(scheme.size());
  IscsiUrl u;
  const std::size_t q = rest.find('?');
  const std::string query = q == std::string::npos ? "" : rest.substr(q + 1);
  rest = rest.substr(0, q);
  const std::size_t atsign = rest.rfind('@');
  if (atsign != std::string::npos) {
    const std::string cred = rest.substr(0, atsign);
    const std::size_t pct = cred.find('%');
    if (pct == std::string::npos || pct == 0 || pct + 1 == cred.size()) bad(text, "CHAP needs USER%SECRET before '@'");
    u.chap = {cred.substr(0, pct), cred.substr(pct + 1)};
    rest = rest.substr(atsign + 1);
  }
  const std::size_t slash = rest.find('/');
  if (slash == std::string::npos) bad(text, "no /IQN/LUN after the host");
  u.portal = parse_host_port(rest.substr(0, slash), kIscsiPort);
  const std::string path = rest.substr(slash + 1);
  const std::size_t last = path.rfind('/');
  if (last == std::string::npos || last == 0) bad(text, "no target name or no LUN");
  u.target_name = path.substr(0, last);
  const std::string lun = path.substr(last + 1);
  const auto [end, ec] = std::from_chars(lun.data(), lun.data() + lun.size(), u.lun);
  if (lun.empty() || ec != std::errc() || end != lun.data() + lun.size() || u.lun > stack::scsi::kMaxLunNumber)
    bad(text, "the LUN must be a number 0.." + std::to_string(stack::scsi::kMaxLunNumber));
  if (!query.empty()) parse_arguments(text, query, u);
  return u;
}

}  // namespace iscsim::wire

// What wire-mode commands accept on their command line: sizes, CHAP credentials, addresses and
// libiscsi-style iSCSI URLs, and the clear refusal of anything else.
#include <gtest/gtest.h>

#include "sim/wire/CliValues.hpp"
#include "sim/wire/IscsiUrl.hpp"

namespace iscsim::wire {
namespace {

TEST(CliValues, ByteSizesTakeBinaryUnits) {
  EXPECT_EQ(parse_byte_size("65536"), 65536u);
  EXPECT_EQ(parse_byte_size("64K"), 65536u);
  EXPECT_EQ(parse_byte_size("64KiB"), 65536u);
  EXPECT_EQ(parse_byte_size("512m"), 512u << 20);
  EXPECT_EQ(parse_byte_size("1G"), 1ull << 30);
  EXPECT_EQ(parse_byte_size("2GB"), 2ull << 30);
  EXPECT_EQ(parse_byte_size("1T"), 1ull << 40);
  for (const char* bad : {"", "M", "12Q", "-1", "1.5G", "64 M", "99999999999999999999", "20000000000T"})
    EXPECT_THROW(parse_byte_size(bad), BadWireInput) << bad;
}

TEST(CliValues, ChapCredentialIsUserColonSecret) {
  const auto c = parse_chap_credential("alice:sec:ret");
  EXPECT_EQ(c.name, "alice");
  EXPECT_EQ(c.secret, "sec:ret");
  for (const char* bad : {"alice", ":secret", "alice:", ""}) EXPECT_THROW(parse_chap_credential(bad), BadWireInput);
}

TEST(CliValues, HostPortWithDefaultsAndIpv6) {
  EXPECT_EQ(parse_host_port("127.0.0.1:3261", kIscsiPort).port, 3261);
  EXPECT_EQ(parse_host_port("127.0.0.1", kIscsiPort).port, kIscsiPort);
  const HostPort v6 = parse_host_port("[::1]:0", kIscsiPort);
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  EXPECT_EQ(v6.to_string(), "[::1]:0");
  for (const char* bad : {":3260", "host:", "host:70000", "host:12a", "[::1", "[::1]x"})
    EXPECT_THROW(parse_host_port(bad, kIscsiPort), BadWireInput) << bad;
}

TEST(IscsiUrl, LibiscsiFormsParse) {
  const IscsiUrl plain = parse_iscsi_url("iscsi://127.0.0.1/iqn.2004-01.org.iscsim:disk/1");
  EXPECT_EQ(plain.portal.host, "127.0.0.1");
  EXPECT_EQ(plain.portal.port, kIscsiPort);
  EXPECT_EQ(plain.target_name, "iqn.2004-01.org.iscsim:disk");
  EXPECT_EQ(plain.lun, 1u);
  EXPECT_TRUE(plain.chap.empty());

  const IscsiUrl chap = parse_iscsi_url(
      "iscsi://alice%se%cret@[::1]:3261/iqn.x:y/0?target_user=tgt&target_password=pw");
  EXPECT_EQ(chap.chap.name, "alice");
  EXPECT_EQ(chap.chap.secret, "se%cret");
  EXPECT_EQ(chap.portal.host, "::1");
  EXPECT_EQ(chap.portal.port, 3261);
  EXPECT_EQ(chap.mutual_chap.name, "tgt");
  EXPECT_EQ(chap.mutual_chap.secret, "pw");
}

TEST(IscsiUrl, MalformedUrlsAreBadInput) {
  for (const char* bad : {"http://host/iqn/0", "iscsi://host", "iscsi://host/iqn", "iscsi://host/iqn/x",
                          "iscsi://host/iqn/99999", "iscsi://alice@host/iqn/0", "iscsi://host/iqn/0?foo=1",
                          "iscsi://host/iqn/0?target_user=t&target_password=p", "iscsi:///iqn/0"})
    EXPECT_THROW(parse_iscsi_url(bad), BadWireInput) << bad;
}

}  // namespace
}  // namespace iscsim::wire

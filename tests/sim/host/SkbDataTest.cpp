// An sk_buff's data as Linux 2.4 allocates it: alloc_skb's aligned size and the skb_shared_info
// behind it pick the kmalloc object; a received frame lands past the two reserves and its payload
// starts where its own headers end; a sent sk_buff's data is shared with its clones, and the
// last of them to be freed frees it, on its own CPU.
#include <gtest/gtest.h>

#include <string>

#include "models/common/ParamSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/SentData.hpp"
#include "sim/host/kernel/ReceiveRing.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::kernel {
namespace {

KernelObjects linux_objects(std::uint32_t mtu_bytes = 1500) {
  return KernelObjects::from(
      models::ParamSet::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params", "kernel", "linux-2.4-objects"), mtu_bytes);
}

TEST(SkbData, ASegmentsDataTakesSize2048AndAReceiveBufferOf2048BytesSize4096) {
  const KernelObjects o = linux_objects();
  // 1,448 + MAX_TCP_HEADER 160 = 1,608, aligned to 1,664, + 60 B of shared info: 1,724.
  EXPECT_EQ(o.skb_data_aligned_bytes(o.tx_skb_size(1448)), 1664u);
  EXPECT_EQ(o.skb_data_object_bytes(o.tx_skb_size(1448)), 2048u);
  // E1000_RXBUFFER_2048 + NET_IP_ALIGN 2 + dev_alloc_skb's 16 = 2,066, aligned to 2,176: past 2 KB.
  EXPECT_EQ(o.rx_skb_data_aligned_bytes, 2176u);
  EXPECT_EQ(o.skb_data_bytes, 4096u);
  // A 9,000 B MTU's segment: 8,948 + 160, aligned to 9,216, + 60: size-16384.
  EXPECT_EQ(o.skb_data_object_bytes(o.tx_skb_size(8948)), 16384u);
}

TEST(SkbData, ALargerMtuTakesTheReceiveBufferE1000ChangeMtuPicks) {
  // max_frame = MTU + 18: up to 1,518 B a 2,048 B buffer, then 4,096, 8,192 or 16,384 B.
  EXPECT_EQ(linux_objects().rx_buffer_bytes(1500), 2048u);
  EXPECT_EQ(linux_objects().rx_buffer_bytes(1501), 4096u);
  EXPECT_EQ(linux_objects().rx_buffer_bytes(4078), 4096u);
  EXPECT_EQ(linux_objects().rx_buffer_bytes(4079), 8192u);
  const KernelObjects jumbo = linux_objects(9000);
  EXPECT_EQ(jumbo.rx_buffer_bytes(9000), 16384u);
  // 16,384 + 2 + 16, aligned to 16,512, + 60: size-32768.
  EXPECT_EQ(jumbo.rx_skb_data_aligned_bytes, 16512u);
  EXPECT_EQ(jumbo.skb_data_bytes, 32768u);
}

TEST(SkbData, AReceivedFrameLandsPastTheReservesAndItsPayloadWhereItsHeadersEnd) {
  const KernelObjects o = linux_objects();
  // dev_alloc_skb's skb_reserve(16), then e1000's skb_reserve(NET_IP_ALIGN).
  EXPECT_EQ(o.rx_frame_offset_bytes, 18u);
  stack::tcp::Segment seg;
  seg.flags = stack::tcp::flag::kAck;
  seg.options.timestamps = stack::tcp::Timestamps{1, 2};
  seg.payload.assign(1448, 0x5a);
  const stack::net::FlowAddress flow{stack::net::MacAddress{{2, 0, 0, 0, 0, 1}}, stack::net::MacAddress{{2, 0, 0, 0, 0, 2}},
                                     stack::net::Ipv4Address{0x0a000001}, stack::net::Ipv4Address{0x0a000002}};
  const auto frame = stack::net::build_frame(flow, 1, seg);
  // Ethernet 14, IP 20, TCP 20 and its 12 B of timestamps.
  const std::uint32_t headers = frame_header_bytes(frame.data(), frame.size());
  EXPECT_EQ(headers, 66u);
  constexpr models::Addr kData = 0x10000;
  const Skb skb{0x2000, kData, 0, kData + o.rx_frame_offset_bytes + headers};  // as the receive ring places it
  const models::Touch read = o.rx_headers(skb);
  EXPECT_EQ(read.addr, kData + 18);
  EXPECT_EQ(read.bytes, 66u);
  EXPECT_FALSE(read.write);
  // What does not parse is all headers.
  EXPECT_EQ(frame_header_bytes(frame.data(), 20), 20u);
}

TEST(SkbData, TheSharedInfosWordsAreStoredCountedOnOrReadAsEachPathUsesThem) {
  const KernelObjects o = linux_objects();
  const models::Touch set = o.shinfo(0x5000, KernelObjects::ShinfoUse::Set);
  EXPECT_TRUE(set.write && set.stores_only && !set.locked);
  const models::Touch count = o.shinfo(0x5000, KernelObjects::ShinfoUse::Count);
  EXPECT_TRUE(count.write && count.locked && !count.stores_only);
  const models::Touch read = o.shinfo(0x5000, KernelObjects::ShinfoUse::Read);
  EXPECT_TRUE(!read.write && !read.locked);
  EXPECT_EQ(read.bytes, o.skb_shared_info_hot_bytes);
  EXPECT_EQ(o.shinfo(0, KernelObjects::ShinfoUse::Read).bytes, 0u);  // no sk_buff: nothing touched
}

TEST(SkbData, TheLastReferenceFreesTheDataIntoItsCpusArray) {
  models::AddressSpace memory{64, 4096};
  models::SlabCache& shared = memory.cache("size-2048", 2048);
  PerCpuSlab slab{shared, 2, CpuCacheLimits{60, 124, 252}};
  SentData sent;
  const models::Addr data = slab.alloc(1);
  sent.add(data, slab, data + 1664);
  EXPECT_EQ(sent.shinfo(data), data + 1664);
  sent.clone(data);       // tcp_transmit_skb's clone on the TX ring
  sent.release(0, data);  // the ACK frees the original on CPU0: the clone still holds the data
  EXPECT_EQ(sent.live(), 1u);
  EXPECT_NE(slab.alloc(0), data);
  sent.release(1, data);  // the TX clean frees the clone on CPU1: the data goes to CPU1's array
  EXPECT_EQ(sent.live(), 0u);
  EXPECT_EQ(slab.alloc(1), data);
}

}  // namespace
}  // namespace iscsim::host::kernel

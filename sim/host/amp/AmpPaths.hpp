#pragma once
// The code paths only the AMP host runs (models/params/paths/eta-amp.json), resolved by name.
#include "models/cpu/CodePath.hpp"

namespace iscsim::host::amp {

struct AmpPaths {
  models::PathId ppe_poll, ppe_doorbell, ppe_work_request, ppe_event_post;
  models::PathId kal_post, kal_reap, kal_wait, zero_copy_setup, zero_copy_release, rx_refill_tail;
  models::PathId tx_csum, tx_frag;  // e1000's checksum context and a page piece's descriptor
  models::PathId rx_copy;  // the receive copy routine the scenario names (amp.rx_copy_path)
  static AmpPaths resolve(const models::CodePathCatalog& catalog, const std::string& rx_copy_path) {
    AmpPaths p;
    p.ppe_poll = catalog.id("ppe_poll");
    p.ppe_doorbell = catalog.id("ppe_doorbell");
    p.ppe_work_request = catalog.id("ppe_work_request");
    p.ppe_event_post = catalog.id("ppe_event_post");
    p.kal_post = catalog.id("kal_post");
    p.kal_reap = catalog.id("kal_reap");
    p.kal_wait = catalog.id("kal_wait");
    p.zero_copy_setup = catalog.id("zero_copy_setup");
    p.zero_copy_release = catalog.id("zero_copy_release");
    p.rx_refill_tail = catalog.id("ppe_rx_refill_tail");
    p.tx_csum = catalog.id("e1000_tx_csum");
    p.tx_frag = catalog.id("e1000_tx_frag");
    p.rx_copy = catalog.id(rx_copy_path);
    return p;
  }
};

}  // namespace iscsim::host::amp

#pragma once
// The seam between a workload and the initiator's I/O paths: a workload submits SCSI requests to
// an IoTarget (an iSCSI session, directly or through a costed host's threads) and hears back
// through an IoSink. Defined here so that links, hosts and workloads meet without including
// one another.
#include <cstddef>

#include "sim/stack/iscsi/InitiatorSession.hpp"

namespace iscsim::world {

// Where a disk's I/Os go (an initiator session and its LUN).
class IoTarget {
 public:
  virtual ~IoTarget() = default;
  // `issuer`: which of the workload's issuers asks (an IOmeter worker, with its own open device).
  virtual void submit(stack::iscsi::ScsiRequest request, std::size_t issuer) = 0;
};

// Who issued them: told when a path can take I/O and when each completes.
class IoSink {
 public:
  virtual ~IoSink() = default;
  virtual void path_ready(std::size_t path) = 0;  // its session is in Full Feature Phase
  // The sink may take the completion's buffers.
  virtual void on_completion(stack::iscsi::ScsiCompletion& c) = 0;
};

}  // namespace iscsim::world

#pragma once
// RFC 6298 round-trip estimator and retransmission timeout, with exponential backoff and the
// kernel's floor and ceiling.
#include <cstdint>

#include "sim/stack/common/Time.hpp"

namespace iscsim::stack::tcp {

class RttEstimator {
 public:
  RttEstimator(Nanos initial_rto, Nanos min_rto, Nanos max_rto)
      : rto_(initial_rto), min_rto_(min_rto), max_rto_(max_rto) {}

  void sample(Nanos rtt);
  void back_off() { backoffs_++; }
  void reset_backoff() { backoffs_ = 0; }

  // The current timeout, backoff included.
  Nanos rto() const;
  Nanos srtt() const { return srtt_; }
  Nanos rttvar() const { return rttvar_; }
  bool has_sample() const { return has_sample_; }
  std::uint32_t backoffs() const { return backoffs_; }

 private:
  Nanos rto_;
  Nanos min_rto_;
  Nanos max_rto_;
  Nanos srtt_ = 0;
  Nanos rttvar_ = 0;
  bool has_sample_ = false;
  std::uint32_t backoffs_ = 0;
};

}  // namespace iscsim::stack::tcp

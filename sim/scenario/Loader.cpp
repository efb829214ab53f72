#include "sim/scenario/Loader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/scenario/Schema.hpp"
#include "sim/scenario/Validation.hpp"

namespace iscsim::scenario {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!fs::is_regular_file(path) || !in) throw ScenarioError(path, "", "cannot read the file (missing or not a file)");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw ScenarioError(path, "", std::string("invalid JSON: ") + e.what());
  }
}

json deep_merge(json base, const json& over) {
  for (const auto& [key, value] : over.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object()) {
      base[key] = deep_merge(base[key], value);
    } else {
      base[key] = value;
    }
  }
  return base;
}

json::json_pointer pointer(const std::string& dotted) {
  std::string p = "/" + dotted;
  for (char& c : p)
    if (c == '.') c = '/';
  return json::json_pointer(p);
}

// Validates a document and merges it over the chain it extends; `chain` detects cycles.
json resolve(const json& doc, const std::string& file, const std::string& base_dir, std::vector<std::string> chain) {
  validate_document(doc, file);
  if (!doc.contains("extends")) return doc;
  if (doc["extends"].get<std::string>().empty()) throw ScenarioError(file, "extends", "must name a base scenario file");
  const fs::path base_path = fs::path(base_dir) / doc["extends"].get<std::string>();
  const std::string canonical = fs::weakly_canonical(base_path).string();
  chain.push_back(file.empty() ? "" : fs::weakly_canonical(file).string());
  for (const std::string& seen : chain) {
    if (seen == canonical) {
      std::string cycle;
      for (const std::string& c : chain) cycle += c + " -> ";
      throw ScenarioError(file, "extends", "extends cycle: " + cycle + canonical);
    }
  }
  const json base = resolve(read_json_file(base_path.string()), base_path.string(), base_path.parent_path().string(), chain);
  json own = doc;
  own.erase("extends");
  json merged = deep_merge(base, own);
  merged.erase("extends");
  return merged;
}

void apply_override(json& doc, const std::string& raw) {
  const std::string where = "--set " + raw;
  const std::size_t eq = raw.find('=');
  if (eq == std::string::npos || eq == 0) throw ScenarioError(where, "", "expected PATH=VALUE, e.g. link.loss_rate=0.01");
  const std::string path = raw.substr(0, eq);
  const std::string text = raw.substr(eq + 1);
  const KeySpec* spec = find_key(path);
  if (spec == nullptr || path == "extends") {
    // Name the deepest section that exists, so the allowed keys listed are the useful ones.
    std::string prefix;
    std::string rest = path;
    for (std::size_t dot; (dot = rest.find('.')) != std::string::npos;) {
      const std::string next = prefix.empty() ? rest.substr(0, dot) : prefix + "." + rest.substr(0, dot);
      if (!is_section(next)) break;
      prefix = next;
      rest = rest.substr(dot + 1);
    }
    const std::string msg = is_section(path) ? "is a section; set one of its keys: " + [&] {
      std::string keys;
      for (const std::string& k : allowed_children(path)) keys += (keys.empty() ? "" : ", ") + k;
      return keys;
    }()
                                             : unknown_key_message(prefix, rest.substr(0, rest.find('.')));
    throw ScenarioError(where, path, msg);
  }
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error&) {
    value = text;  // a bare word: --set host.architecture=smp
  }
  if ((spec->type == KeyType::String || spec->type == KeyType::Enum) && !value.is_string()) value = text;
  doc[pointer(path)] = check_value(*spec, value, where);
}

template <class T>
T get(const json& doc, const std::string& path) {
  return doc.at(pointer(path)).get<T>();
}

void check_cross_keys(const json& doc, const std::string& file, bool ppes_given) {
  if (ppes_given && get<std::string>(doc, "host.architecture") != "amp")
    throw ScenarioError(file, "host.ppes",
                        "only an AMP host has packet processing engines; set host.architecture to \"amp\" or remove "
                        "host.ppes (host.architecture is \"" + get<std::string>(doc, "host.architecture") + "\")");
  if (get<std::string>(doc, "host.architecture") == "amp" && get<int>(doc, "host.ppes") >= get<int>(doc, "host.cores"))
    throw ScenarioError(file, "host.ppes", "must be less than host.cores (" +
                                               std::to_string(get<int>(doc, "host.cores")) +
                                               ") so that some cores run the host side");
  const std::string arch = get<std::string>(doc, "host.architecture");
  if (get<std::string>(doc, "workload.type") == "bulk" && arch != "ideal")
    throw ScenarioError(file, "workload.type",
                        "\"bulk\" runs on the ideal host only; with host.architecture \"" + arch +
                            "\" use \"iometer\" (allowed with " + arch + ": iometer)");
  if (get<int>(doc, "iscsi.first_burst_bytes") > get<int>(doc, "iscsi.max_burst_bytes"))
    throw ScenarioError(file, "iscsi.first_burst_bytes",
                        "must not exceed iscsi.max_burst_bytes (" +
                            std::to_string(get<int>(doc, "iscsi.max_burst_bytes")) + ", RFC 7143 section 13.14)");
  if (get<std::string>(doc, "iscsi.chap_user").empty() != get<std::string>(doc, "iscsi.chap_secret").empty())
    throw ScenarioError(file, "iscsi.chap_secret", "iscsi.chap_user and iscsi.chap_secret go together: set both or neither");
}

Scenario typed(const json& doc, const std::string& source) {
  Scenario s;
  s.source_file = source;
  s.name = get<std::string>(doc, "name");
  s.description = get<std::string>(doc, "description");
  const std::string arch = get<std::string>(doc, "host.architecture");
  s.host.architecture = arch == "smp" ? Architecture::Smp : arch == "amp" ? Architecture::Amp : Architecture::Ideal;
  s.host.cores = get<int>(doc, "host.cores");
  s.host.ppes = get<int>(doc, "host.ppes");
  s.host.cpu.model = get<std::string>(doc, "host.cpu.model");
  s.host.cpu.frequency_ghz = get<double>(doc, "host.cpu.frequency_ghz");
  s.host.cache_model = get<std::string>(doc, "host.cache.model");
  s.host.code_paths = get<std::string>(doc, "host.code_paths");
  s.host.code_path_patch = get<std::string>(doc, "host.code_path_patch");
  s.host.kernel_objects = get<std::string>(doc, "host.kernel_objects");
  s.host.idle_poll = get<std::string>(doc, "host.idle") == "poll";
  s.host.code_layout = get<std::uint64_t>(doc, "host.code_layout");
  s.host.profiler = get<std::string>(doc, "host.profiler");
  const auto routing = get<std::string>(doc, "host.irq_routing");
  s.host.irq_routing = routing == "round_robin" ? IrqRouting::RoundRobin
                       : routing == "per_nic"   ? IrqRouting::PerNic
                                                : IrqRouting::AllToCpu0;
  s.nics.count = get<int>(doc, "nics.count");
  s.nics.model = get<std::string>(doc, "nics.model");
  s.nics.link_gbps = get<double>(doc, "nics.link_gbps");
  s.nics.mtu_bytes = get<int>(doc, "nics.mtu_bytes");
  s.nics.tx_ring = get<int>(doc, "nics.tx_ring");
  s.nics.rx_ring = get<int>(doc, "nics.rx_ring");
  s.nics.itr_ints_per_s = get<double>(doc, "nics.itr_ints_per_s");
  s.nics.rdtr_us = get<double>(doc, "nics.rdtr_us");
  s.nics.radv_us = get<double>(doc, "nics.radv_us");
  s.nics.tidv_us = get<double>(doc, "nics.tidv_us");
  s.nics.tadv_us = get<double>(doc, "nics.tadv_us");
  s.pci.model = get<std::string>(doc, "pci.model");
  s.pci.shared = get<bool>(doc, "pci.shared");
  s.link.latency_us = get<double>(doc, "link.latency_us");
  s.link.loss_rate = get<double>(doc, "link.loss_rate");
  s.link.corrupt_rate = get<double>(doc, "link.corrupt_rate");
  s.link.reorder_rate = get<double>(doc, "link.reorder_rate");
  s.link.reorder_delay_us = get<double>(doc, "link.reorder_delay_us");
  s.link.duplicate_rate = get<double>(doc, "link.duplicate_rate");
  s.link.silent_corrupt_rate = get<double>(doc, "link.silent_corrupt_rate");
  s.tcp.timestamps = get<bool>(doc, "tcp.timestamps");
  s.tcp.nodelay = get<bool>(doc, "tcp.nodelay");
  s.tcp.delayed_ack = get<bool>(doc, "tcp.delayed_ack");
  s.tcp.sack = get<bool>(doc, "tcp.sack");
  s.tcp.low_latency = get<bool>(doc, "tcp.low_latency");
  s.tcp.initiator_socket_buffer_bytes = get<int>(doc, "tcp.initiator_socket_buffer_bytes");
  s.tcp.target_socket_buffer_bytes = get<int>(doc, "tcp.target_socket_buffer_bytes");
  s.workload.type = get<std::string>(doc, "workload.type") == "bulk" ? WorkloadType::Bulk : WorkloadType::Iometer;
  s.workload.direction =
      get<std::string>(doc, "workload.direction") == "to_target" ? BulkDirection::ToTarget : BulkDirection::FromTarget;
  s.workload.bulk_write_bytes = get<int>(doc, "workload.bulk_write_bytes");
  s.workload.op = get<std::string>(doc, "workload.op") == "write" ? IoOp::Write : IoOp::Read;
  s.workload.request_bytes = get<int>(doc, "workload.request_bytes");
  s.workload.outstanding_per_worker = get<int>(doc, "workload.outstanding_per_worker");
  s.workload.workers = get<int>(doc, "workload.workers");
  s.workload.sequential = get<bool>(doc, "workload.sequential");
  s.workload.readback = get<bool>(doc, "workload.readback");
  s.target.lun_bytes = get<std::int64_t>(doc, "target.lun_bytes");
  s.target.ramdisk_model = get<std::string>(doc, "target.ramdisk_model");
  s.target.nic_driver = get<std::string>(doc, "target.nic_driver");
  s.target.commands_at_once = get<int>(doc, "target.commands_at_once");
  s.iscsi.sessions_per_target = get<int>(doc, "iscsi.sessions_per_target");
  s.iscsi.immediate_data = get<bool>(doc, "iscsi.immediate_data");
  s.iscsi.initial_r2t = get<bool>(doc, "iscsi.initial_r2t");
  s.iscsi.first_burst_bytes = get<int>(doc, "iscsi.first_burst_bytes");
  s.iscsi.max_burst_bytes = get<int>(doc, "iscsi.max_burst_bytes");
  s.iscsi.max_recv_data_segment_bytes = get<int>(doc, "iscsi.max_recv_data_segment_bytes");
  s.iscsi.max_outstanding_r2t = get<int>(doc, "iscsi.max_outstanding_r2t");
  s.iscsi.header_digest = get<bool>(doc, "iscsi.header_digest");
  s.iscsi.data_digest = get<bool>(doc, "iscsi.data_digest");
  s.iscsi.status_in_data_in = get<bool>(doc, "iscsi.status_in_data_in");
  s.iscsi.command_window = get<int>(doc, "iscsi.command_window");
  s.iscsi.chap_user = get<std::string>(doc, "iscsi.chap_user");
  s.iscsi.chap_secret = get<std::string>(doc, "iscsi.chap_secret");
  s.amp.host_wait = get<std::string>(doc, "amp.host_wait") == "poll" ? HostWait::Poll : HostWait::Sleep;
  s.amp.wait = get<std::string>(doc, "amp.wait") == "n" ? AmpWait::N : AmpWait::One;
  s.amp.wait_n = get<int>(doc, "amp.wait_n");
  s.amp.completion =
      get<std::string>(doc, "amp.completion") == "callback" ? AmpCompletion::Callback : AmpCompletion::RxThread;
  s.amp.tx_zero_copy = get<std::string>(doc, "amp.tx_copy") == "zero_copy";
  s.amp.rx_copy_on_ppe = get<std::string>(doc, "amp.rx_copy") == "ppe";
  s.amp.rx_copy_path = get<std::string>(doc, "amp.rx_copy_path");
  s.amp.flow_steering =
      get<std::string>(doc, "amp.flow_steering") == "per_connection" ? FlowSteering::PerConnection : FlowSteering::PerNic;
  s.amp.ppe_timer_tick = get<bool>(doc, "amp.ppe_timer_tick");
  s.amp.ppe_policy = get<std::string>(doc, "amp.ppe_policy") == "fifo" ? PpePolicy::Fifo : PpePolicy::Other;
  s.amp.code_paths = get<std::string>(doc, "amp.code_paths");
  s.amp.queues = get<std::string>(doc, "amp.queues");
  s.run.seed = get<std::uint64_t>(doc, "run.seed");
  s.run.warmup_s = get<double>(doc, "run.warmup_s");
  s.run.duration_s = get<double>(doc, "run.duration_s");
  s.resolved = doc;
  return s;
}

Scenario finish(json merged, const std::string& source, const std::vector<std::string>& overrides) {
  json doc = deep_merge(default_document(), merged);
  for (const std::string& o : overrides) apply_override(doc, o);
  if (doc["name"].get<std::string>().empty()) doc["name"] = source.empty() ? "scenario" : fs::path(source).stem().string();
  bool ppes_given = merged.contains("host") && merged["host"].is_object() && merged["host"].contains("ppes");
  for (const std::string& o : overrides) ppes_given = ppes_given || o.rfind("host.ppes=", 0) == 0;
  check_cross_keys(doc, source, ppes_given);
  return typed(doc, source);
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  const json doc = read_json_file(path);
  return finish(resolve(doc, path, fs::path(path).parent_path().string(), {}), path, overrides);
}

Scenario load_scenario_json(const json& doc, const std::string& source_name, const std::vector<std::string>& overrides,
                            const std::string& base_dir) {
  return finish(resolve(doc, source_name, base_dir, {}), source_name, overrides);
}

}  // namespace iscsim::scenario

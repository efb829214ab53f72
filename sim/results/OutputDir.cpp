#include "sim/results/OutputDir.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace iscsim::world {

namespace fs = std::filesystem;

std::string partial_name(const std::string& path) { return path + ".partial-" + std::to_string(::getpid()); }

void commit_partial(const std::string& path) {
  std::error_code ec;
  fs::rename(partial_name(path), path, ec);
  if (ec) throw std::runtime_error(path + ": cannot move the finished file into place: " + ec.message());
}

void write_file_atomically(const std::string& dir, const std::string& name, const std::string& content) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory: " + ec.message());
  const std::string path = (fs::path(dir) / name).string();
  {
    std::ofstream out(partial_name(path), std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error(path + ": cannot write: disk full or no permission?");
  }
  commit_partial(path);
}

}  // namespace iscsim::world

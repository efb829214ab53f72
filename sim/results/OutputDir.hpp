#pragma once
// Writes a run's files so that a reader never sees a half-written one: each file is written
// beside its final name and renamed into place only when complete.
#include <string>

namespace iscsim::world {

// Creates `dir` (and parents) if needed and replaces `dir/name` with `content` atomically.
void write_file_atomically(const std::string& dir, const std::string& name, const std::string& content);
// The name a file is written under before it is complete.
std::string partial_name(const std::string& path);
// Renames a completed partial file onto its final name.
void commit_partial(const std::string& path);

}  // namespace iscsim::world

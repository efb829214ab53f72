#pragma once
// Reads a CSV file with a header row (RFC 4180 quoting) so tests can check the tables that
// iscsim and the analysis scripts write.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace iscsim::testing {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
};

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      cells.emplace_back();
    } else if (ch != '\r') {
      cells.back() += ch;
    }
  }
  return cells;
}

inline CsvTable read_csv(const std::filesystem::path& p) {
  CsvTable t;
  std::ifstream in(p);
  std::string line;
  if (!std::getline(in, line)) return t;
  t.header = split_csv_line(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv_line(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < t.header.size(); ++i) row[t.header[i]] = i < cells.size() ? cells[i] : "";
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace iscsim::testing

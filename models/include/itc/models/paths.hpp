// itc/models/paths.hpp — how a checker names source files and itself in what it prints.
//
// Three kinds of file show up in a trace, a blocked thread or a TSan frame, and the build tells
// the checker which is which (itc_add_checkers() sets these macros; cmake/ItcCheckers.cmake):
//
//   ITC_SOURCE_ROOT        the catalog's project root (your repository): your files are shown
//                          relative to it, "src/latch.hpp:39", which is also what a SARIF
//                          result's %SRCROOT%-relative location must be
//   ITC_LIBRARY_ROOTS      where itc's own headers and runner sources were found, ':'-separated:
//                          itc's repository ("primitives/include/itc/lock.hpp") or an installed
//                          package's include folder ("itc/lock.hpp")
//   ITC_RELACY_INCLUDE_DIR Relacy's own folder (<include dir>/relacy): frames inside it are Relacy's
//   machinery
//                          (constructing an rl::atomic), which traces leave out
//   ITC_VERSION            the version of itc the checker was built from (`--version`)
//
// A file under none of them is shown as the compiler named it (an absolute path). A file under
// the source root is the user's even if it is also under a library root (itc vendored inside
// the user's repository), because reports must point into the user's tree. The same spelling is
// used by every checker, so itc-verify can match locations across them.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

namespace itc::models {

#ifndef ITC_SOURCE_ROOT
#define ITC_SOURCE_ROOT ""
#endif
#ifndef ITC_LIBRARY_ROOTS
#define ITC_LIBRARY_ROOTS ""
#endif
#ifndef ITC_RELACY_INCLUDE_DIR
#define ITC_RELACY_INCLUDE_DIR ""
#endif
#ifndef ITC_CATALOG_PATH
#define ITC_CATALOG_PATH ""
#endif
#ifndef ITC_VERSION
#define ITC_VERSION "unknown"
#endif

namespace paths_detail {

/// `path` without "." segments and with "dir/.." pairs folded (purely lexical: compilers name
/// files as they were reached through -I folders, e.g. "/src/stress/../models/include/...").
inline std::string lexically_normal(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  const bool absolute = !path.empty() && path[0] == '/';
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    const std::string_view seg = path.substr(i, j - i);
    if (seg == "..") {
      const auto cut = out.rfind('/');
      if (!out.empty() && out.substr(cut == std::string::npos ? 0 : cut + 1) != "..")
        out.erase(cut == std::string::npos ? 0 : cut);
      else
        out += out.empty() ? ".." : "/..";
    } else if (!seg.empty() && seg != ".") {
      if (!out.empty() || absolute) out += '/';
      out += seg;
    }
    i = j + 1;
  }
  return out.empty() ? (absolute ? "/" : ".") : out;
}

/// `path` relative to `root` if it lies inside it ("" otherwise). Both are normalised.
inline std::string inside(const std::string& path, std::string_view root) {
  if (root.empty()) return "";
  std::string r = lexically_normal(root);
  if (r.back() != '/') r += '/';
  return path.rfind(r, 0) == 0 ? path.substr(r.size()) : "";
}

}  // namespace paths_detail

/// Is `path` one of Relacy's own headers? By its include folder when the build named it, else
/// by the "relacy/" folder every Relacy header is included through.
inline bool is_relacy_path(std::string_view path) {
  const std::string p = paths_detail::lexically_normal(path);
  if (std::string_view(ITC_RELACY_INCLUDE_DIR).empty()) return p.find("/relacy/") != std::string::npos;
  return !paths_detail::inside(p, ITC_RELACY_INCLUDE_DIR).empty();
}

/// Is `path` one of itc's own files (a library root's) rather than the catalog project's? A file
/// under the source root is the project's even when a library root holds it too (itc's own
/// catalog, or itc vendored inside the project).
inline bool is_library_path(std::string_view path) {
  const std::string p = paths_detail::lexically_normal(path);
  if (!paths_detail::inside(p, ITC_SOURCE_ROOT).empty()) return false;
  const std::string_view roots = ITC_LIBRARY_ROOTS;
  for (std::size_t i = 0; i < roots.size();) {
    const std::size_t j = std::min(roots.find(':', i), roots.size());
    if (!paths_detail::inside(p, roots.substr(i, j - i)).empty()) return true;
    i = j + 1;
  }
  return false;
}

/// A source path as every report shows it (see the banner): relative to the source root, else
/// to the itc library root holding it, else Relacy's "relacy/<file>", else unchanged.
inline std::string display_path(std::string_view path) {
  const std::string p = paths_detail::lexically_normal(path);
  if (path.empty() || p.front() != '/') return std::string(path);  // already relative (or "?")
  if (auto rel = paths_detail::inside(p, ITC_SOURCE_ROOT); !rel.empty()) return rel;
  const std::string_view roots = ITC_LIBRARY_ROOTS;
  for (std::size_t i = 0; i < roots.size();) {
    const std::size_t j = std::min(roots.find(':', i), roots.size());
    if (auto rel = paths_detail::inside(p, roots.substr(i, j - i)); !rel.empty()) return rel;
    i = j + 1;
  }
  if (auto rel = paths_detail::inside(p, ITC_RELACY_INCLUDE_DIR); !rel.empty()) return "relacy/" + rel;
  return p;
}

/// The path of the running checker binary, so that a printed replay or re-run line runs the
/// binary that printed it (a user's mybuffer-model, not itc-model) wherever it is pasted.
inline std::string running_binary(const char* fallback) {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fallback;
  buf[n] = '\0';
  return buf;
}

/// `word` as one shell word: unchanged when it holds only characters no shell treats specially,
/// otherwise single-quoted.
inline std::string shell_word(std::string_view word) {
  bool plain = !word.empty();
  for (char ch : word)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) ||
          std::string_view("/._-+=:,@%").find(ch) != std::string_view::npos))
      plain = false;
  if (plain) return std::string(word);
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

/// What `<checker> info` prints: which checker this is and where its sources are, one
/// "key value" line each. itc-verify reads it to check that it was given the right binaries
/// and to find the catalog's sources.
inline void print_checker_info(std::FILE* out, std::string_view checker) {
  std::fprintf(out, "checker      %.*s\ncatalog      %s\nsource-root  %s\n", static_cast<int>(checker.size()),
               checker.data(), ITC_CATALOG_PATH, ITC_SOURCE_ROOT);
}

/// What `<checker> --version` prints: this binary's name (a user's <name>-model as well as
/// itc-model) and the version of itc it was built from, "itc-model (itc) 0.1.0".
inline void print_version(std::FILE* out, const char* fallback) {
  const std::string self = running_binary(fallback);
  std::fprintf(out, "%s (itc) %s\n", self.substr(self.rfind('/') + 1).c_str(), ITC_VERSION);
}

}  // namespace itc::models

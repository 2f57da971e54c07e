#include "storage/local_file_system.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "storage/location.h"

namespace braid {
namespace {

namespace fs = std::filesystem;

Status ErrnoStatus(std::string_view op, const std::string& path, int err) {
  std::string message = fmt::format("{} {}: {}", op, path, std::strerror(err));
  if (err == ENOENT) return Status::NotFound(std::move(message));
  if (err == EEXIST) return Status::AlreadyExists(std::move(message));
  // Transient conditions a retry may cure.
  bool retriable = err == EINTR || err == EAGAIN || err == ENOSPC || err == EMFILE;
  return Status::IoError(std::move(message), retriable);
}

Status FsyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync", path, err);
  return Status::Ok();
}

std::string DirOf(const std::string& path) {
  std::string_view parent = ParentLocation(path);
  return parent.empty() ? std::string("/") : std::string(parent);
}

// A name no other writer picks: pid, a per-process counter and random bits.
std::string TempPathFor(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{}/.{}.{}-{}-{:x}.tmp", DirOf(path), BaseName(path), ::getpid(),
                     counter.fetch_add(1), rng() & 0xffffffffu);
}

// Writes and fsyncs a new file that must not exist yet.
Status WriteNewFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = ErrnoStatus("write", path, errno);
      ::close(fd);
      ::unlink(path.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = ErrnoStatus("fsync", path, errno);
    ::close(fd);
    ::unlink(path.c_str());
    return st;
  }
  if (::close(fd) != 0) {
    Status st = ErrnoStatus("close", path, errno);
    ::unlink(path.c_str());
    return st;
  }
  return Status::Ok();
}

}  // namespace

std::shared_ptr<LocalFileSystem> LocalFileSystem::Instance() {
  static const std::shared_ptr<LocalFileSystem> instance = std::make_shared<LocalFileSystem>();
  return instance;
}

Result<std::string> LocalFileSystem::ReadFile(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = ErrnoStatus("read", path, errno);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<uint64_t> LocalFileSystem::FileSize(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<bool> LocalFileSystem::Exists(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return ErrnoStatus("stat", path, errno);
}

Status LocalFileSystem::WriteFile(const std::string& location, std::string_view data) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  std::string tmp = TempPathFor(path);
  BRAID_RETURN_IF_ERROR(WriteNewFile(tmp, data));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = ErrnoStatus("rename to", path, errno);
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncPath(DirOf(path), true);
}

Status LocalFileSystem::CreateFileExclusive(const std::string& location, std::string_view data) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  std::string tmp = TempPathFor(path);
  BRAID_RETURN_IF_ERROR(WriteNewFile(tmp, data));
  // link() publishes the complete file under its name only if the name is free; file systems
  // without hard links get renameat2's no-replace rename, which gives the same guarantee.
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  if (rc != 0 && (err == EPERM || err == ENOTSUP || err == EOPNOTSUPP || err == EMLINK)) {
    rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
    err = errno;
  }
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return Status::AlreadyExists(fmt::format("{} already exists", path));
    return ErrnoStatus("create", path, err);
  }
  return FsyncPath(DirOf(path), true);
}

Result<std::string> LocalFileSystem::LocalPathForWrite(const std::string& location) {
  return LocalPath(location);
}

Status LocalFileSystem::FinishLocalWrite(const std::string& local_path,
                                         const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  if (local_path != path && ::rename(local_path.c_str(), path.c_str()) != 0) {
    return ErrnoStatus("rename to", path, errno);
  }
  BRAID_RETURN_IF_ERROR(FsyncPath(path, false));
  return FsyncPath(DirOf(path), true);
}

Status LocalFileSystem::DeleteFile(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("delete", path, errno);
  return Status::Ok();
}

Result<std::vector<FileInfo>> LocalFileSystem::List(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  std::error_code ec;
  fs::directory_iterator it(path, ec);
  if (ec) return ErrnoStatus("list", path, ec.value());
  std::vector<FileInfo> out;
  for (const fs::directory_entry& entry : it) {
    FileInfo info;
    info.name = entry.path().filename().string();
    info.is_directory = entry.is_directory(ec);
    if (!info.is_directory) {
      uintmax_t size = entry.file_size(ec);
      info.size = ec ? 0 : static_cast<uint64_t>(size);
      struct stat st {};
      if (::stat(entry.path().c_str(), &st) == 0) {
        info.modified_ms = int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
      }
    }
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.name < b.name; });
  return out;
}

Status LocalFileSystem::CreateDirectories(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return ErrnoStatus("create directory", path, ec.value());
  return Status::Ok();
}

Status LocalFileSystem::DeleteRecursively(const std::string& location) {
  BRAID_ASSIGN_OR_RETURN(std::string path, LocalPath(location));
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec && ec.value() != ENOENT) return ErrnoStatus("delete", path, ec.value());
  return Status::Ok();
}

}  // namespace braid

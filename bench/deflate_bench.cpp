// Times libdeflate alone as pare uses it (gzip members of 1 MiB chunks, one
// core) so that two builds of the library can be compared side by side:
// pare_deflate_bench links the libdeflate pare links, and
// pare_deflate_bench_system the system's (scripts/libdeflate.sh says why they
// differ). Prints JSON:
//   pare_deflate_bench FILE [level] [runs]
#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [level] [runs]\n", argv[0]);
    return 2;
  }
  // Only libdeflate is linked (no pare library), so the two builds differ in it alone.
  int fd = open(argv[1], O_RDONLY);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    std::perror(argv[1]);
    return 1;
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapped == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  std::string_view data(static_cast<const char*>(mapped), size);
  int level = argc > 2 ? std::stoi(argv[2]) : 5;
  int runs = argc > 3 ? std::max(1, std::stoi(argv[3])) : 1;
  const size_t chunk = size_t{1} << 20;
  std::vector<char> out(libdeflate_gzip_compress_bound(nullptr, chunk));
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
      libdeflate_alloc_compressor(level), libdeflate_free_compressor);
  if (!c) {
    std::fprintf(stderr, "libdeflate: no compressor for level %d (0-12)\n", level);
    return 2;
  }
  std::vector<double> seconds;
  size_t total = 0;
  uint32_t crc = 0;  // of the whole output: both builds must write the same bytes
  for (int r = 0; r < runs; ++r) {
    total = 0;
    crc = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t off = 0; off < data.size(); off += chunk) {
      size_t n = std::min(chunk, data.size() - off);
      size_t m = libdeflate_gzip_compress(c.get(), data.data() + off, n, out.data(), out.size());
      if (m == 0) {
        std::fprintf(stderr, "libdeflate: compression failed\n");
        return 1;
      }
      total += m;
      crc = libdeflate_crc32(crc, out.data(), m);
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf(
      "{\"libdeflate\": \"%s\", \"input\": %zu, \"output\": %zu, \"output_crc32\": \"%08x\", "
      "\"level\": %d, \"median_s\": %.4f}\n",
      LIBDEFLATE_VERSION_STRING, data.size(), total, crc, level, seconds[seconds.size() / 2]);
  return 0;
}

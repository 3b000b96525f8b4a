// libcurl implementation of http::Client. Downloads run on one thread with the
// multi interface (no thread per transfer): up to `parallel` transfers at once,
// each streamed into an AtomicFile while its SHA-256 is computed, so a file is
// hashed once and only renamed into place after it verified.
#include "util/http.h"

#include <cstdlib>

#include <curl/curl.h>

#include <cctype>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::http {

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view rel) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  out += '/';
  out += rel;
  return out;
}

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A transient failure is worth retrying: the server or network may recover.
bool is_transient(CURLcode code, long status) {
  if (code == CURLE_OK) return status >= 500 || status == 429 || status == 408;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_COULDNT_RESOLVE_HOST:
      return true;
    default:
      return false;
  }
}

void backoff(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(200 * (1 << attempt)));
}

Error transfer_error(const std::string& url, CURLcode code, long status) {
  if (code == CURLE_OK) {
    if (status == 404 || status == 410)
      return Error(Errc::not_found, "HTTP " + std::to_string(status) + " for " + url);
    return Error(Errc::network, "HTTP " + std::to_string(status) + " for " + url);
  }
  if (code == CURLE_FILE_COULDNT_READ_FILE) return Error(Errc::not_found, "no such file: " + url);
  return Error(Errc::network, std::string(curl_easy_strerror(code)) + " for " + url);
}

// One transfer's state: where the bytes go and what they hash to.
struct Transfer {
  const Client::Job* job = nullptr;
  CURL* easy = nullptr;
  std::optional<fs::AtomicFile> file;
  Sha256 hash;
  uint64_t received = 0;
  uint64_t discarded = 0;  // bytes of an error answer's body
  std::optional<Error> write_error;
  Progress* progress = nullptr;
  std::string* memory = nullptr;  // for get(): collect in memory instead
  int attempt = 0;
};

// The most get() keeps in memory: indexes and InRelease files are tens of MB at
// most (bookworm's largest Packages.gz is 12 MB); a mirror sending more is wrong.
constexpr uint64_t kMaxGetBytes = uint64_t{512} << 20;
// An error answer's body is read and dropped up to this size (a server that
// streams one without end would otherwise hold the transfer forever).
constexpr uint64_t kMaxErrorBody = uint64_t{64} << 20;

size_t on_data(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  // The body of an error answer (a 503 page, a proxy's 404) is not the file:
  // drop it, so that it neither fails the size check nor counts as progress,
  // and let the status decide between a retry and an error.
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != 0 && status != 200) {
    t->discarded += n;
    if (t->discarded <= kMaxErrorBody) return n;
    t->write_error =
        Error(Errc::network, "HTTP " + std::to_string(status) + " answer longer than " +
                                 std::to_string(kMaxErrorBody >> 20) + " MiB");
    return 0;
  }
  std::string_view bytes(ptr, n);
  t->received += n;
  if (t->memory) {
    if (t->received > kMaxGetBytes) {
      t->write_error = Error(Errc::network,
                             "response larger than " + std::to_string(kMaxGetBytes >> 20) + " MiB");
      return 0;
    }
    t->memory->append(bytes);
    return n;
  }
  if (t->job->size && t->received > t->job->size) {
    t->write_error =
        Error(Errc::integrity, "size mismatch for " + t->job->url + ": more than the " +
                                   std::to_string(t->job->size) + " bytes the index says");
    return 0;
  }
  t->hash.update(bytes);
  if (auto r = t->file->write(bytes); !r.ok()) {
    t->write_error = r.error();
    return 0;
  }
  if (t->progress) t->progress->advance(n);
  return n;
}

class CurlClient : public Client {
 public:
  explicit CurlClient(const CurlOptions& o) : opts_(o) { global_init(); }
  ~CurlClient() override {
    for (CURL* h : idle_handles_) curl_easy_cleanup(h);
  }
  CurlClient(const CurlClient&) = delete;
  CurlClient& operator=(const CurlClient&) = delete;

  // Safe to call from several threads at once (the index stage fetches its
  // suites concurrently): each call borrows an idle handle, whose connection
  // cache keeps the mirror's connection open from one index file to the next.
  Result<std::string> get(const std::string& url) override {
    CURL* handle = borrow_handle();
    auto result = get_with(handle, url);
    return_handle(handle);
    return result;
  }

  Result<void> download_all(const std::vector<Job>& jobs, Progress& progress) override;

 private:
  CURL* borrow_handle() {
    std::lock_guard lock(handles_mutex_);
    if (idle_handles_.empty()) return curl_easy_init();
    CURL* h = idle_handles_.back();
    idle_handles_.pop_back();
    return h;
  }

  void return_handle(CURL* h) {
    std::lock_guard lock(handles_mutex_);
    idle_handles_.push_back(h);
  }

  Result<std::string> get_with(CURL* handle, const std::string& url) {
    for (int attempt = 0;; ++attempt) {
      std::string body;
      Transfer t;
      t.memory = &body;
      curl_easy_reset(handle);
      configure(handle, url, &t);
      CURLcode code = curl_easy_perform(handle);
      long status = 0;
      curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
      if (t.write_error) return t.write_error->context(url);
      if (code == CURLE_OK && (status == 200 || status == 0)) return body;
      if (attempt < opts_.retries && is_transient(code, status)) {
        PARE_LOG(debug) << "retrying " << url;
        backoff(attempt);
        continue;
      }
      return transfer_error(url, code, status);
    }
  }

  CURL* make_easy(const std::string& url, Transfer* t) {
    CURL* e = curl_easy_init();
    configure(e, url, t);
    return e;
  }

  void configure(CURL* e, const std::string& url, Transfer* t) {
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    // Only what a mirror can be (file: for local mirrors); redirects only to http(s).
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, opts_.connect_timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, opts_.low_speed_timeout_s);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "pare/0.1");
    // The environment's proxy (curl reads http_proxy itself) comes first; then apt's.
    if (!opts_.http_proxy.empty() && url.rfind("http://", 0) == 0 && !std::getenv("http_proxy"))
      curl_easy_setopt(e, CURLOPT_PROXY, opts_.http_proxy.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    t->easy = e;
  }

  Result<void> start(CURLM* multi, Transfer& t) {
    auto file = fs::AtomicFile::create(t.job->dest);
    if (!file.ok()) return file.error();
    t.file.emplace(std::move(file.value()));
    t.hash = Sha256();
    t.received = 0;
    t.discarded = 0;
    t.write_error.reset();
    curl_multi_add_handle(multi, make_easy(t.job->url, &t));
    return {};
  }

  // Verify a completed transfer and move it into place.
  Result<void> finish(Transfer& t) {
    const Job& job = *t.job;
    if (job.size && t.received != job.size)
      return Error(Errc::integrity, "size mismatch for " + job.url + ": got " +
                                        std::to_string(t.received) + " bytes, the index says " +
                                        std::to_string(job.size));
    std::string got = t.hash.hex_digest();
    if (!job.sha256.empty() && got != job.sha256)
      return Error(Errc::integrity,
                   "SHA-256 mismatch for " + job.url + ": expected " + job.sha256 + ", got " + got);
    PARE_CHECK(t.file->commit());
    if (job.on_done) job.on_done();
    return {};
  }

  CurlOptions opts_;
  std::mutex handles_mutex_;
  std::vector<CURL*> idle_handles_;
};

Result<void> CurlClient::download_all(const std::vector<Job>& jobs, Progress& progress) {
  if (jobs.empty()) return {};
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(opts_.parallel));
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> guard(multi, curl_multi_cleanup);
  std::vector<Transfer> transfers(jobs.size());
  std::deque<size_t> pending;
  for (size_t i = 0; i < jobs.size(); ++i) {
    transfers[i].job = &jobs[i];
    transfers[i].progress = &progress;
    pending.push_back(i);
  }
  std::optional<Error> failure;
  int running = 0;
  auto cleanup_easy = [&](Transfer& t) {
    curl_multi_remove_handle(multi, t.easy);
    curl_easy_cleanup(t.easy);
    t.easy = nullptr;
  };
  while (!failure && (!pending.empty() || running > 0)) {
    while (!pending.empty() && running < opts_.parallel) {
      Transfer& t = transfers[pending.front()];
      pending.pop_front();
      if (auto r = start(multi, t); !r.ok()) {
        failure = r.error();
        break;
      }
      ++running;
    }
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode code = msg->data.result;
      long status = 0;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
      cleanup_easy(*t);
      --running;
      bool http_ok = code == CURLE_OK && (status == 200 || status == 0);
      if (t->write_error) {
        if (!failure) failure = *t->write_error;
      } else if (!http_ok && t->attempt < opts_.retries && is_transient(code, status)) {
        PARE_LOG(debug) << "retrying " << t->job->url;
        ++t->attempt;
        t->file.reset();
        backoff(t->attempt - 1);
        pending.push_back(static_cast<size_t>(t - transfers.data()));
      } else if (!http_ok) {
        if (!failure) failure = transfer_error(t->job->url, code, status);
      } else if (auto r = finish(*t); !r.ok()) {
        if (!failure) failure = r.error();
      }
      if (!failure || t->file) t->file.reset();
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (auto& t : transfers)
    if (t.easy) cleanup_easy(t);
  if (failure) return *failure;
  return {};
}

}  // namespace

std::unique_ptr<Client> make_curl_client(const CurlOptions& options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace pare::http

// NSEC chain membership and the shared parallel walk (nsec_chain.hpp).
#include "cidns/dnssec/nsec_chain.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace cidns::dnssec {

std::vector<const name::identifier*> nsec_chain(const zone::contents& zone,
                                                const zone::layout& shape) {
  std::vector<const name::identifier*> next(shape.names.size(), nullptr);
  std::vector<std::size_t> members;
  for (std::size_t i = 0; i < shape.names.size(); ++i) {
    const auto& e = shape.names[i];
    if (!e.in_nsec_chain()) continue;
    bool data = false;
    for (std::size_t k = e.records.begin; k < e.records.end && !data; ++k) {
      const auto t = zone.records[k].type;
      data = t != record::rtype::sig && t != record::rtype::nsec;
    }
    if (data) members.push_back(i);
  }
  for (std::size_t k = 0; k < members.size(); ++k) {
    next[members[k]] = &shape.names[members[(k + 1) % members.size()]].name;
  }
  return next;
}

namespace {

unsigned threads_for(unsigned jobs) {
  return jobs != 0 ? jobs : std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

std::size_t run_count(std::size_t count, unsigned jobs) {
  return std::max<std::size_t>(1, std::min<std::size_t>(count, threads_for(jobs) * 64ULL));
}

std::size_t for_each_run(std::size_t count, unsigned jobs,
                         const std::function<void(std::size_t, std::size_t, std::size_t)>& work) {
  const unsigned threads = threads_for(jobs);
  const std::size_t runs = run_count(count, jobs);
  std::atomic<std::size_t> next_run{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto loop = [&] {
    try {
      for (std::size_t r; (r = next_run.fetch_add(1)) < runs;) {
        work(r, r * count / runs, (r + 1) * count / runs);
      }
    } catch (...) {
      next_run.store(runs);  // the others stop after their current run
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < runs; ++t) pool.emplace_back(loop);
  loop();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return runs;
}

}  // namespace cidns::dnssec

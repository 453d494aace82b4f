// Placeholder replaced by the benchmark script (next commit).
console.log('bench:exchange not written yet');

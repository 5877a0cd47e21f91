// Decodes an HdrHistogram interval log with hdr-histogram-js (an implementation independent of
// idemctl's) and prints, per tag ("" for untagged lines), the sum of its interval histograms:
// total count, p50/p90/p99/p99.9, max, and the highest equivalent value of each value given in
// the second argument (a JSON object tag -> [values]), so the test can compare at the
// histogram's precision with the layout math of this implementation, not ours.
"use strict";
const fs = require("fs");
const hdr = require("hdr-histogram-js");

const [logPath, valuesJson] = process.argv.slice(2);
const reader = new hdr.HistogramLogReader(fs.readFileSync(logPath, "utf8"));
const sums = new Map();
let intervals = 0;
for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
  intervals++;
  const tag = !h.tag || h.tag === "NO TAG" ? "" : h.tag;
  if (!sums.has(tag)) {
    sums.set(tag, hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3600000000,
                              numberOfSignificantValueDigits: 3, bitBucketSize: 64 }));
  }
  sums.get(tag).add(h);
}
const values = valuesJson ? JSON.parse(valuesJson) : {};
const out = { intervals, start_time_s: reader.startTimeSec, tags: {} };
for (const [tag, h] of sums) {
  out.tags[tag] = {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p99_9: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    highest_equivalent: (values[tag] || []).map((v) => h.highestEquivalentValue(v)),
  };
}
process.stdout.write(JSON.stringify(out) + "\n");

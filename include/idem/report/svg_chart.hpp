// Charts as inline SVG for self-contained HTML reports: escaping, "nice" axis ticks with units
// (µs/ms/s, k/M), and step-area charts over a per-second series (overlaid bands or stacked
// areas) with axes and a legend. No script, font or URL in the output. Pure functions: safe from
// any thread.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace idem::svg {

/// `text` with & < > " ' replaced by entities: safe in HTML/XML text and quoted attributes.
/// Bytes that are not valid UTF-8 (and control characters other than tab, LF, CR) become U+FFFD
/// so that a hostile body cannot break the document's encoding.
std::string escape(std::string_view text);

/// How axis values are labelled.
enum class Unit {
  Microseconds,  ///< 250µs, 1.5ms, 2s, 1.2min
  Count,         ///< 950, 1.5k, 2M
};

/// A value as an axis or table label in `unit`, at most 3 significant digits.
std::string format_value(double value, Unit unit);

/// Axis ticks from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten (for
/// microseconds also 1-2-5 multiples of the ms/s units), about `target` of them. `max` <= 0 or
/// not finite gives the ticks of 1. The last tick is >= max; the first is 0.
std::vector<double> nice_ticks(double max, int target = 5);

struct Series {
  std::string name;
  std::string color;           ///< a CSS colour literal, "#1f77b4"
  std::vector<double> values;  ///< one per x step (second)
};

/// How the series are drawn on top of each other.
enum class Layering {
  Overlay,  ///< each from 0, drawn in order (give the largest first: percentile bands)
  Stack,    ///< each on top of the ones before (throughput by status class)
};

struct AreaChart {
  std::string title;
  std::string x_label = "seconds since start";
  Unit unit = Unit::Count;
  Layering layering = Layering::Overlay;
  std::vector<Series> series;  ///< all of equal length; none (or length 0) draws "no data"
  int width = 1200;            ///< viewBox units; rendered at 100% of its container's width
  int height = 320;
};

/// Writes one <svg> element (no XML declaration, no xmlns: inline SVG in HTML5). Each value is
/// drawn as a step over [t, t+1), so one second is visible. Deterministic output (fixed
/// decimals), so it can be compared with golden files.
void write_area_chart(const AreaChart& chart, std::ostream& out);

}  // namespace idem::svg

#include "idem/report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace idem::svg {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr int kMarginLeft = 72;
constexpr int kMarginRight = 16;
constexpr int kMarginTop = 52;
constexpr int kMarginBottom = 40;
// Below this the axis would show fractions of a request or a microsecond.
constexpr double kMinAxisMax = 5;
constexpr std::string_view kFont = "font-family=\"system-ui,sans-serif\"";

// Length of the UTF-8 sequence starting at s[i] if it is valid (shortest form, no surrogates,
// <= U+10FFFF), else 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
  }
  if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
  return n;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// 3 significant digits without an exponent.
std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  if (std::string_view(buf).find('e') != std::string_view::npos) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

struct Frame {
  double x0, x1, y0, y1;  // plot area: x0 left, y0 bottom (SVG y grows downwards)
  double x_max, y_max;
  double x(double v) const { return x0 + (x1 - x0) * v / x_max; }
  double y(double v) const { return y0 - (y0 - y1) * std::min(v, y_max) / y_max; }
};

void write_axes(const AreaChart& c, const Frame& f, const std::vector<double>& y_ticks,
                const std::vector<double>& x_ticks, std::ostream& out) {
  for (const double t : y_ticks) {
    const std::string y = fixed(f.y(t));
    out << "<line x1=\"" << fixed(f.x0) << "\" y1=\"" << y << "\" x2=\"" << fixed(f.x1)
        << "\" y2=\"" << y << "\" stroke=\"#e3e6ea\" stroke-width=\"1\"/>\n";
    out << "<text x=\"" << fixed(f.x0 - 6) << "\" y=\"" << fixed(f.y(t) + 4)
        << "\" text-anchor=\"end\" font-size=\"12\" " << kFont << " fill=\"#4b5563\">"
        << escape(format_value(t, c.unit)) << "</text>\n";
  }
  for (const double t : x_ticks) {
    const std::string x = fixed(f.x(t));
    out << "<line x1=\"" << x << "\" y1=\"" << fixed(f.y0) << "\" x2=\"" << x << "\" y2=\""
        << fixed(f.y0 + 4) << "\" stroke=\"#6b7280\" stroke-width=\"1\"/>\n";
    out << "<text x=\"" << x << "\" y=\"" << fixed(f.y0 + 17)
        << "\" text-anchor=\"middle\" font-size=\"12\" " << kFont << " fill=\"#4b5563\">"
        << short_number(t) << "</text>\n";
  }
  out << "<line x1=\"" << fixed(f.x0) << "\" y1=\"" << fixed(f.y0) << "\" x2=\"" << fixed(f.x1)
      << "\" y2=\"" << fixed(f.y0) << "\" stroke=\"#6b7280\" stroke-width=\"1\"/>\n";
  out << "<text x=\"" << fixed((f.x0 + f.x1) / 2) << "\" y=\"" << fixed(f.y0 + 34)
      << "\" text-anchor=\"middle\" font-size=\"12\" " << kFont << " fill=\"#4b5563\">"
      << escape(c.x_label) << "</text>\n";
}

void write_legend(const AreaChart& c, std::ostream& out) {
  double x = kMarginLeft;
  for (const Series& s : c.series) {
    out << "<rect x=\"" << fixed(x) << "\" y=\"30\" width=\"12\" height=\"12\" fill=\""
        << escape(s.color) << "\"/>\n";
    out << "<text x=\"" << fixed(x + 17) << "\" y=\"40\" font-size=\"12\" " << kFont
        << " fill=\"#111827\">" << escape(s.name) << "</text>\n";
    // No font metrics without a browser: a generous estimate of the label's width.
    x += 17 + 7.5 * static_cast<double>(s.name.size()) + 18;
  }
}

// One closed step-area: the top edge left to right, the base edge back.
void write_area(const Series& s, const std::vector<double>& base, const Frame& f,
                std::ostream& out) {
  const size_t n = s.values.size();
  std::string top;
  for (size_t i = 0; i < n; ++i) {
    const double v = base[i] + s.values[i];
    const std::string y = fixed(f.y(v));
    top += (i == 0 ? "M" : " L") + fixed(f.x(static_cast<double>(i))) + " " + y + " L" +
           fixed(f.x(static_cast<double>(i + 1))) + " " + y;
  }
  std::string bottom;
  for (size_t i = n; i-- > 0;) {
    const std::string y = fixed(f.y(base[i]));
    bottom += " L" + fixed(f.x(static_cast<double>(i + 1))) + " " + y + " L" +
              fixed(f.x(static_cast<double>(i))) + " " + y;
  }
  const std::string color = escape(s.color);
  out << "<path d=\"" << top << bottom << " Z\" fill=\"" << color << "\"/>\n";
  out << "<path d=\"" << top << "\" fill=\"none\" stroke=\"" << color
      << "\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n";
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const size_t n = utf8_length(text, i);
      if (n == 0) {
        out += kReplacement;
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': case '\n': case '\r': out += c; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += kReplacement;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string format_value(double value, Unit unit) {
  if (!std::isfinite(value)) return "?";
  if (value == 0) return "0";
  const double a = std::fabs(value);
  if (unit == Unit::Microseconds) {
    if (a < 1e3) return short_number(value) + "\xC2\xB5s";  // µs
    if (a < 1e6) return short_number(value / 1e3) + "ms";
    if (a < 1e9) return short_number(value / 1e6) + "s";
    return short_number(value / 6e7) + "min";
  }
  if (a < 1e3) return short_number(value);
  if (a < 1e6) return short_number(value / 1e3) + "k";
  if (a < 1e9) return short_number(value / 1e6) + "M";
  return short_number(value / 1e9) + "G";
}

std::vector<double> nice_ticks(double max, int target) {
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  target = std::max(target, 1);
  const double raw = max / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  // The epsilon keeps a max that is itself a tick from growing one more step.
  const auto steps = static_cast<int>(std::ceil(max / step - 1e-9));
  std::vector<double> ticks;
  for (int i = 0; i <= steps; ++i) ticks.push_back(step * i);
  return ticks;
}

void write_area_chart(const AreaChart& c, std::ostream& out) {
  size_t n = 0;
  for (const Series& s : c.series) n = std::max(n, s.values.size());
  out << "<svg class=\"chart\" viewBox=\"0 0 " << c.width << " " << c.height
      << "\" width=\"100%\" role=\"img\" aria-label=\"" << escape(c.title) << "\">\n";
  out << "<rect x=\"0\" y=\"0\" width=\"" << c.width << "\" height=\"" << c.height
      << "\" fill=\"#ffffff\"/>\n";
  out << "<text x=\"" << kMarginLeft << "\" y=\"18\" font-size=\"15\" font-weight=\"600\" "
      << kFont << " fill=\"#111827\">" << escape(c.title) << "</text>\n";
  write_legend(c, out);

  // Overlay: the tallest series sets the axis; Stack: the tallest sum.
  std::vector<std::vector<double>> bases;
  std::vector<double> base(n, 0.0);
  double y_max = 0;
  for (const Series& s : c.series) {
    bases.push_back(base);
    for (size_t i = 0; i < n; ++i) {
      const double v = i < s.values.size() && std::isfinite(s.values[i]) ? std::max(0.0, s.values[i]) : 0.0;
      y_max = std::max(y_max, base[i] + v);
      if (c.layering == Layering::Stack) base[i] += v;
    }
  }
  const std::vector<double> y_ticks = nice_ticks(std::max(y_max, kMinAxisMax));
  // Whole seconds on the x axis, and the data spans it: the last step ends at the right edge.
  const auto x_max = static_cast<double>(std::max<size_t>(n, 1));
  std::vector<double> x_ticks;
  const std::vector<double> x_nice = nice_ticks(x_max, 10);
  const double x_step = std::max(1.0, x_nice[1] - x_nice[0]);
  for (double t = 0; t <= x_max + 1e-9; t += x_step) x_ticks.push_back(t);
  const Frame f{kMarginLeft, static_cast<double>(c.width - kMarginRight),
                static_cast<double>(c.height - kMarginBottom), kMarginTop, x_max, y_ticks.back()};
  write_axes(c, f, y_ticks, x_ticks, out);
  if (n == 0) {
    out << "<text x=\"" << fixed((f.x0 + f.x1) / 2) << "\" y=\"" << fixed((f.y0 + f.y1) / 2)
        << "\" text-anchor=\"middle\" font-size=\"14\" " << kFont
        << " fill=\"#6b7280\">no data: the run recorded no second</text>\n";
  }
  for (size_t k = 0; k < c.series.size() && n > 0; ++k) {
    Series s = c.series[k];
    s.values.resize(n, 0.0);
    for (double& v : s.values) v = std::isfinite(v) ? std::max(0.0, v) : 0.0;
    // An all-zero series has nothing to fill, and its top line would outline the stack below in
    // its colour: it keeps only its legend entry.
    if (std::all_of(s.values.begin(), s.values.end(), [](double v) { return v == 0; })) continue;
    write_area(s, bases[k], f, out);
  }
  out << "</svg>\n";
}

}  // namespace idem::svg

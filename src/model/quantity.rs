//! Typed scalar values of the model: durations, CPU and memory quantities, rate limits, percentages.

use std::fmt;

/// A duration, kept in milliseconds (`500ms`, `5s`, `1m`, `1h`, or combinations like `1m30s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    pub millis: u64,
}

impl Duration {
    /// A duration of `seconds`.
    pub fn from_secs(seconds: u64) -> Duration {
        Duration { millis: seconds * 1000 }
    }

    /// Whole seconds, rounded up (platforms that take seconds never get 0 for a positive duration).
    pub fn secs_ceil(self) -> u64 {
        self.millis.div_ceil(1000)
    }

    /// Parse `1m30s`-style text.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let help = "write a duration such as 500ms, 5s, 1m, 1h or 1m30s";
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("empty duration: {help}"));
        }
        let mut millis: u64 = 0;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!("invalid duration `{text}`: {help}"));
            }
            let number: u64 = rest[..digits].parse().map_err(|_| format!("duration `{text}` is too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            let factor = match &rest[..unit_len] {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "" => return Err(format!("duration `{text}` has no unit: {help}")),
                unit => return Err(format!("unknown duration unit `{unit}` in `{text}`: {help}")),
            };
            rest = &rest[unit_len..];
            millis = number
                .checked_mul(factor)
                .and_then(|value| millis.checked_add(value))
                .ok_or_else(|| format!("duration `{text}` is too large"))?;
        }
        Ok(Duration { millis })
    }
}

impl fmt::Display for Duration {
    /// The Go/compose spelling: `30s`, `1m30s`, `500ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut millis = self.millis;
        if millis == 0 {
            return write!(f, "0s");
        }
        let hours = millis / 3_600_000;
        millis %= 3_600_000;
        let minutes = millis / 60_000;
        millis %= 60_000;
        let seconds = millis / 1000;
        millis %= 1000;
        if hours > 0 {
            write!(f, "{hours}h")?;
        }
        if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        if seconds > 0 {
            write!(f, "{seconds}s")?;
        }
        if millis > 0 {
            write!(f, "{millis}ms")?;
        }
        Ok(())
    }
}

/// CPU in millicores (`500m`, `0.5`, `2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cpu {
    pub millis: u32,
}

impl Cpu {
    /// Parse `500m`, `0.25`, `2`.
    pub fn parse(text: &str) -> Result<Cpu, String> {
        let help = "write CPU in cores or millicores, such as 0.5, 2 or 500m";
        let text = text.trim();
        let millis = if let Some(number) = text.strip_suffix('m') {
            number.parse::<u32>().map_err(|_| format!("invalid CPU quantity `{text}`: {help}"))?
        } else {
            let cores: f64 = text.parse().map_err(|_| format!("invalid CPU quantity `{text}`: {help}"))?;
            if !cores.is_finite() || cores < 0.0 || cores > 1_000_000.0 {
                return Err(format!("invalid CPU quantity `{text}`: {help}"));
            }
            (cores * 1000.0).round() as u32
        };
        if millis == 0 {
            return Err(format!("CPU quantity `{text}` must be more than zero"));
        }
        Ok(Cpu { millis })
    }

    /// Kubernetes spelling: `500m` or `2`.
    pub fn kubernetes(self) -> String {
        if self.millis % 1000 == 0 { (self.millis / 1000).to_string() } else { format!("{}m", self.millis) }
    }

    /// Decimal cores: `0.5`, `2`, `0.25`.
    pub fn cores(self) -> String {
        let whole = self.millis / 1000;
        let fraction = self.millis % 1000;
        if fraction == 0 {
            return whole.to_string();
        }
        let fraction = format!("{fraction:03}");
        format!("{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// Memory in mebibytes (`512Mi`, `2Gi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Memory {
    pub mebibytes: u32,
}

impl Memory {
    /// Parse `512Mi`, `2Gi` (also `M`/`G`, read as the binary units).
    pub fn parse(text: &str) -> Result<Memory, String> {
        let help = "write memory in Mi or Gi, such as 512Mi or 2Gi";
        let text = text.trim();
        let (number, factor) = if let Some(n) = text.strip_suffix("Gi").or_else(|| text.strip_suffix('G')) {
            (n, 1024.0)
        } else if let Some(n) = text.strip_suffix("Mi").or_else(|| text.strip_suffix('M')) {
            (n, 1.0)
        } else {
            return Err(format!("invalid memory quantity `{text}`: {help}"));
        };
        let value: f64 = number.trim().parse().map_err(|_| format!("invalid memory quantity `{text}`: {help}"))?;
        let mebibytes = value * factor;
        if !mebibytes.is_finite() || mebibytes < 1.0 || mebibytes > 16_777_216.0 || mebibytes.fract() != 0.0 {
            return Err(format!("invalid memory quantity `{text}`: {help} (a whole number of Mi, at least 1Mi)"));
        }
        Ok(Memory { mebibytes: mebibytes as u32 })
    }

    /// Kubernetes spelling: `512Mi` or `2Gi`.
    pub fn kubernetes(self) -> String {
        if self.mebibytes % 1024 == 0 {
            format!("{}Gi", self.mebibytes / 1024)
        } else {
            format!("{}Mi", self.mebibytes)
        }
    }

    /// Compose spelling: `512M`, `2G`.
    pub fn compose(self) -> String {
        if self.mebibytes % 1024 == 0 { format!("{}G", self.mebibytes / 1024) } else { format!("{}M", self.mebibytes) }
    }

    /// Whole gibibytes, rounded up (disk sizes).
    pub fn gibibytes_ceil(self) -> u32 {
        self.mebibytes.div_ceil(1024)
    }
}

/// A request rate limit: `100/s`, `10/m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RateLimit {
    pub requests: u32,
    pub per_minute: bool,
}

impl RateLimit {
    /// Parse `100/s` or `10/m`.
    pub fn parse(text: &str) -> Result<RateLimit, String> {
        let help = "write a rate such as 100/s or 10/m";
        let (number, unit) = text.trim().split_once('/').ok_or_else(|| format!("invalid rate `{text}`: {help}"))?;
        let requests: u32 = number.trim().parse().map_err(|_| format!("invalid rate `{text}`: {help}"))?;
        if requests == 0 {
            return Err(format!("rate `{text}` must be at least 1"));
        }
        let per_minute = match unit.trim() {
            "s" => false,
            "m" => true,
            _ => return Err(format!("invalid rate unit in `{text}`: {help}")),
        };
        Ok(RateLimit { requests, per_minute })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, if self.per_minute { "m" } else { "s" })
    }
}

/// A share of something, kept in hundredths of a percent (`80%`, `0.5%`, or a number of percent:
/// `80`): alert thresholds. Always more than 0 and at most 100 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent {
    pub hundredths: u32,
}

impl Percent {
    /// `n` percent.
    pub const fn whole(n: u32) -> Percent {
        Percent { hundredths: n * 100 }
    }

    /// Parse `80%`, `0.5%`, `80` (percent), at most two decimals.
    pub fn parse(text: &str) -> Result<Percent, String> {
        let help = "write a percentage such as 80%, 0.5% or 5 (percent), more than 0 and at most 100";
        let number = text.trim().strip_suffix('%').unwrap_or(text.trim()).trim();
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || !(fraction.is_empty() || digits(fraction) && fraction.len() <= 2) {
            return Err(format!("invalid percentage `{text}`: {help}"));
        }
        let whole: u32 = whole.parse().map_err(|_| format!("invalid percentage `{text}`: {help}"))?;
        let fraction: u32 = format!("{fraction:0<2}").parse().unwrap_or(0);
        let hundredths = whole.checked_mul(100).and_then(|w| w.checked_add(fraction)).unwrap_or(u32::MAX);
        if hundredths == 0 || hundredths > 10_000 {
            return Err(format!("percentage `{text}` is out of range: {help}"));
        }
        Ok(Percent { hundredths })
    }

    /// The share as a decimal fraction (`0.8`, `0.005`, `1`), for Prometheus expressions.
    pub fn ratio(self) -> String {
        decimal(u64::from(self.hundredths), 4)
    }

    /// The percentage as a decimal number without `%` (`80`, `0.5`), for cloud metrics in percent.
    pub fn number(self) -> String {
        decimal(u64::from(self.hundredths), 2)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.number())
    }
}

/// `value / 10^places` written as a decimal without trailing zeros (`8000, 4` → `0.8`).
pub fn decimal(value: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = places as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("1m30s").map(|d| d.millis), Ok(90_000));
        assert_eq!(Duration::parse("500ms").map(|d| d.to_string()), Ok("500ms".into()));
        assert!(Duration::parse("5").is_err());
        assert!(Duration::parse("5x").is_err());
    }

    #[test]
    fn cpu_and_memory() {
        assert_eq!(Cpu::parse("0.5").map(|c| c.millis), Ok(500));
        assert_eq!(Cpu::parse("250m").map(Cpu::cores), Ok("0.25".into()));
        assert_eq!(Memory::parse("2Gi").map(|m| m.mebibytes), Ok(2048));
        assert_eq!(Memory::parse("0.5Gi").map(Memory::kubernetes), Ok("512Mi".into()));
        assert!(Memory::parse("512").is_err());
        assert!(Cpu::parse("-1").is_err());
    }

    #[test]
    fn percentages() {
        assert_eq!(Percent::parse("80%").map(Percent::ratio), Ok("0.8".into()));
        assert_eq!(Percent::parse("0.5%").map(Percent::ratio), Ok("0.005".into()));
        assert_eq!(Percent::parse("100").map(Percent::ratio), Ok("1".into()));
        assert_eq!(Percent::parse("12.25").map(|p| p.to_string()), Ok("12.25%".into()));
        assert!(Percent::parse("0%").is_err());
        assert!(Percent::parse("101%").is_err());
        assert!(Percent::parse("0.125%").is_err());
        assert!(Percent::parse("-5").is_err());
    }

    #[test]
    fn rates() {
        assert_eq!(RateLimit::parse("10/m").map(|r| r.to_string()), Ok("10/m".into()));
        assert!(RateLimit::parse("10/h").is_err());
    }
}

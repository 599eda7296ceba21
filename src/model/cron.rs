//! Cron schedules (five fields, UTC), checked when the model is read.

/// A validated five-field cron expression.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cron {
    /// The expression as written, normalised to single spaces.
    pub expression: String,
}

const FIELDS: [(&str, u32, u32); 5] =
    [("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7)];

impl Cron {
    /// Parse `m h dom mon dow`: numbers, `*`, ranges `a-b`, lists `a,b`, steps `*/n`.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "a cron schedule has 5 fields (minute hour day-of-month month day-of-week), `{text}` has {}: write e.g. \"0 12 * * *\"",
                fields.len()
            ));
        }
        for (field, (name, min, max)) in fields.iter().zip(FIELDS) {
            check_field(field, min, max).map_err(|why| format!("invalid {name} field `{field}`: {why}"))?;
        }
        Ok(Cron { expression: fields.join(" ") })
    }

    /// The fields, for targets whose syntax differs (EventBridge wants six).
    pub fn fields(&self) -> Vec<&str> {
        self.expression.split(' ').collect()
    }
}

fn check_field(field: &str, min: u32, max: u32) -> Result<(), String> {
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (part, None),
        };
        if let Some(step) = step {
            let step: u32 = step.parse().map_err(|_| format!("step `{step}` is not a number"))?;
            if step == 0 || step > max {
                return Err(format!("step {step} is out of range"));
            }
        }
        if range == "*" {
            continue;
        }
        let (low, high) = match range.split_once('-') {
            Some((low, high)) => (low, high),
            None => (range, range),
        };
        let low: u32 = low.parse().map_err(|_| format!("`{low}` is not a number"))?;
        let high: u32 = high.parse().map_err(|_| format!("`{high}` is not a number"))?;
        if low < min || high > max || low > high {
            return Err(format!("values must be between {min} and {max}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cron() {
        assert!(Cron::parse("0 12 * * *").is_ok());
        assert!(Cron::parse("*/15 0-6 1,15 * 1-5").is_ok());
        assert!(Cron::parse("0 25 * * *").is_err());
        assert!(Cron::parse("0 12 * *").is_err());
        assert!(Cron::parse("0 12 * * MON").is_err());
    }
}

//! Scheduled jobs on AWS: the model's five-field cron (UTC) as an EventBridge Scheduler expression,
//! shared by the ecs target (the `create-schedule` input beside the task definition) and the aws
//! target (the `scheduled_job` module's `schedule_expression`).
//!
//! EventBridge cron has six fields (`cron(min hour dom month dow year)`), numbers days of the week
//! 1-7 from Sunday (Unix: 0-6, 7 = Sunday again), and wants exactly one of day-of-month and
//! day-of-week to be `?`.

use crate::model::cron::Cron;

/// `0 2 * * *` → `cron(0 2 * * ? *)`; `30 6 * * 1-5` → `cron(30 6 ? * 2-6 *)`.
///
/// Unix cron runs a job when either a restricted day-of-month or a restricted day-of-week matches;
/// EventBridge cannot say "either", so both restricted is an error, as is a step in day-of-week.
pub fn eventbridge(cron: &Cron) -> Result<String, String> {
    let fields = cron.fields();
    let [minute, hour, day_of_month, month, day_of_week] = fields.as_slice() else {
        return Err(format!("`{}` does not have five fields", cron.expression));
    };
    let (day_of_month, day_of_week) = match (*day_of_month == "*", *day_of_week == "*") {
        (_, true) => (star_step(day_of_month, 1), String::from("?")),
        (true, false) => (String::from("?"), day_of_week_field(day_of_week)?),
        (false, false) => {
            return Err(format!(
                "`{}` restricts both day of month and day of week (cron runs when either matches), which EventBridge Scheduler cannot express",
                cron.expression
            ));
        }
    };
    Ok(format!(
        "cron({} {} {day_of_month} {} {day_of_week} *)",
        star_step(minute, 0),
        star_step(hour, 0),
        star_step(month, 1)
    ))
}

/// `*/15` → `0/15` (EventBridge documents steps from a start value).
fn star_step(field: &str, first: u32) -> String {
    field
        .split(',')
        .map(|part| match part.strip_prefix("*/") {
            Some(step) => format!("{first}/{step}"),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Shift Unix day numbers (0 or 7 = Sunday) to EventBridge's (1 = Sunday ... 7 = Saturday).
fn day_of_week_field(field: &str) -> Result<String, String> {
    if field.contains('/') {
        return Err(format!("day of week `{field}` uses a step, which EventBridge Scheduler does not accept"));
    }
    let mut parts = Vec::new();
    for part in field.split(',') {
        let (low, high) = match part.split_once('-') {
            Some((low, high)) => (day(low)?, day(high)?),
            None => {
                let single = day(part)?;
                parts.push(shift(single).to_string());
                continue;
            }
        };
        if high == 7 {
            // `5-7` is Friday to Sunday: 6-7 plus Sunday (1); `0-7` is every day.
            if low == 0 {
                parts.push(String::from("1-7"));
            } else if low == 6 {
                parts.push(String::from("7,1"));
            } else {
                parts.push(format!("{}-7,1", shift(low)));
            }
        } else {
            parts.push(format!("{}-{}", shift(low), shift(high)));
        }
    }
    Ok(parts.join(","))
}

fn day(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| format!("`{text}` is not a day-of-week number"))
}

fn shift(day: u32) -> u32 {
    if day == 7 { 1 } else { day + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str) -> Result<String, String> {
        eventbridge(&Cron::parse(text).expect("valid cron"))
    }

    #[test]
    fn converts_the_contract_examples() {
        assert_eq!(convert("0 2 * * *").as_deref(), Ok("cron(0 2 * * ? *)"));
        assert_eq!(convert("30 6 * * 1-5").as_deref(), Ok("cron(30 6 ? * 2-6 *)"));
        assert_eq!(convert("0 12 * * *").as_deref(), Ok("cron(0 12 * * ? *)"));
    }

    #[test]
    fn shifts_days_and_steps() {
        assert_eq!(convert("*/15 */2 1 */3 *").as_deref(), Ok("cron(0/15 0/2 1 1/3 ? *)"));
        assert_eq!(convert("0 0 * * 0").as_deref(), Ok("cron(0 0 ? * 1 *)"));
        assert_eq!(convert("0 0 * * 7").as_deref(), Ok("cron(0 0 ? * 1 *)"));
        assert_eq!(convert("0 0 * * 0,6").as_deref(), Ok("cron(0 0 ? * 1,7 *)"));
        assert_eq!(convert("0 0 * * 5-7").as_deref(), Ok("cron(0 0 ? * 6-7,1 *)"));
        assert_eq!(convert("0 0 * * 6-7").as_deref(), Ok("cron(0 0 ? * 7,1 *)"));
        assert_eq!(convert("0 0 * * 0-7").as_deref(), Ok("cron(0 0 ? * 1-7 *)"));
        assert_eq!(convert("0 0 1,15 * *").as_deref(), Ok("cron(0 0 1,15 * ? *)"));
    }

    #[test]
    fn refuses_what_eventbridge_cannot_say() {
        assert!(convert("0 0 1 * 1").is_err());
        assert!(convert("0 0 * * */2").is_err());
    }
}

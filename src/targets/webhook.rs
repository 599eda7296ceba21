//! The root variable that carries the alerts webhook URL on the Terraform targets (aws, azure). The
//! URL is the value of a model secret, so the pipeline passes it (`TF_VAR_alerts_webhook_url`) and
//! the root never holds it.

use crate::ir::Stack;
use crate::targets::hcl::{Block, Body, Expr};

/// The root variable's name.
pub const VARIABLE: &str = "alerts_webhook_url";

/// `variable "alerts_webhook_url"` when the model sends alerts to a webhook; `poster` says what
/// posts to it (the aws topic, the azure action group).
pub fn variable(stack: &Stack, poster: &str) -> Option<Block> {
    let secret = stack.alerting.as_ref()?.notify.webhook.as_ref()?;
    let mut variable = Body::new();
    variable
        .attribute(
            "description",
            Expr::string(&format!(
                "HTTPS URL {poster} posts to: the value of the secret `{secret}` (e.g. TF_VAR_{VARIABLE} from the pipeline's secret store), never written here."
            )),
        )
        .attribute("type", Expr::raw("string"))
        .attribute("sensitive", Expr::raw("true"));
    Some(Block::labelled("variable", VARIABLE, variable))
}

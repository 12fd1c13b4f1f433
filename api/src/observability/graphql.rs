//! GraphQL execution as observability sees it: the operation's span and metrics (recorded by
//! the [gateway](crate::gateway) around every operation) and, when debug logging is
//! on, a span per resolver.
//!
//! Spans carry names, types and paths only — never arguments or variables, which can hold
//! health data.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{Response, ServerError, ServerResult, Value};
use tracing::Instrument;

use super::http::{Label, label_current_request};
use crate::error::ServiceError;

/// Schema extension opening a `debug` span per resolver.
///
/// Any installed extension sends every field of every response through async-graphql's
/// extension chain, which cost a quarter of a large catalogue page's time; so
/// [`build_schema`](crate::schema::build_schema) installs this one only when debug logging
/// is on at start-up, and nothing else is done as an extension.
pub struct ResolverSpans;

impl ExtensionFactory for ResolverSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResolverSpansExtension)
    }
}

struct ResolverSpansExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ResolverSpansExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        let span = tracing::debug_span!(
            "graphql.resolve",
            field = info.name,
            parent_type = info.parent_type,
            return_type = info.return_type,
            path = %info.path_node,
        );
        next.run(ctx, info).instrument(span).await
    }
}

/// The span one operation executes in.
pub fn execute_span(operation: Option<&str>) -> tracing::Span {
    let name = operation.unwrap_or("anonymous");
    tracing::Span::current().record("operation", name);
    tracing::debug_span!("graphql.execute", operation = name)
}

/// Records an answered operation in the request metrics, labelled by operation name and
/// outcome: on the HTTP request's own line when there is one, otherwise (websockets) alone.
pub fn record(metrics: &super::Metrics, operation: Option<&str>, response: &Response, started: Instant) {
    record_as(metrics, operation, outcome(response), started);
}

/// [`record`] for an operation that ended with `outcome` (`ok` or an error code) and no
/// response worth looking into.
pub fn record_as(metrics: &super::Metrics, operation: Option<&str>, outcome: String, started: Instant) {
    let label = Label { operation: metrics.operation_label(operation), outcome };
    if !label_current_request(label.clone()) {
        metrics.record_request(&label.operation, &label.outcome, started.elapsed());
    }
}

/// `ok`, or the `extensions.code` of the response's first error.
fn outcome(response: &Response) -> String {
    response.errors.first().map_or_else(|| "ok".to_owned(), |error| error_code(error).to_owned())
}

fn error_code(error: &ServerError) -> &str {
    if let Some(Value::String(code)) = error.extensions.as_ref().and_then(|e| e.get("code")) {
        return code;
    }
    // Not classified (yet): the service's code, else what async-graphql raised before
    // execution.
    match error.source::<ServiceError>() {
        Some(service) => service.code().as_str(),
        None if error.path.is_empty() => "GRAPHQL_VALIDATION_FAILED",
        None => "INTERNAL",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::{Layer, registry};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn ok(&self) -> bool {
            true
        }
        async fn echo(&self, text: String) -> String {
            text
        }
        async fn down(&self) -> Result<bool, ServiceError> {
            Err(ServiceError::Unavailable(Arc::new(std::io::Error::other("db down"))))
        }
    }

    async fn outcome_of(query: &str) -> String {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
        outcome(&schema.execute(query).await)
    }

    /// Records each new span as `name field=value …`.
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> Layer<S> for Spans {
        fn on_new_span(&self, attrs: &tracing::span::Attributes<'_>, _: &tracing::span::Id, _: Context<'_, S>) {
            struct Fields(String);
            impl tracing::field::Visit for Fields {
                fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                    self.0.push_str(&format!(" {}={value:?}", field.name()));
                }
            }
            let mut fields = Fields(attrs.metadata().name().to_owned());
            attrs.record(&mut fields);
            self.0.lock().expect("not poisoned").push(fields.0);
        }
    }

    async fn spans_at(level: LevelFilter, query: &str) -> Vec<String> {
        let spans = Spans::default();
        let _guard = tracing::subscriber::set_default(registry().with(spans.clone().with_filter(level)));
        // Tests running in parallel without a subscriber may have cached "never" for these
        // callsites before this one was installed.
        tracing::callsite::rebuild_interest_cache();
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).extension(ResolverSpans).finish();
        let named = query.strip_prefix("query ").and_then(|q| q.split_whitespace().next());
        assert!(schema.execute(query).instrument(execute_span(named)).await.errors.is_empty());
        spans.0.lock().expect("not poisoned").clone()
    }

    // One test, not two: tracing caches per call site whether anyone listens, and a test
    // running the extension without a subscriber in parallel could make this one miss spans.
    #[tokio::test(flavor = "current_thread")]
    async fn outcomes_name_the_first_error_class_and_each_resolver_gets_a_debug_span() {
        assert_eq!(outcome_of("query Fine { ok }").await, "ok");
        assert_eq!(outcome_of("query Broken { down }").await, "UNAVAILABLE");
        assert_eq!(outcome_of("query Typo { nope }").await, "GRAPHQL_VALIDATION_FAILED");

        let spans = spans_at(LevelFilter::DEBUG, r#"query Named { ok echo(text: "SECRET-ARG") }"#).await;
        let resolved: Vec<_> = spans.iter().filter(|s| s.starts_with("graphql.resolve")).collect();
        assert_eq!(resolved.len(), 2, "{spans:?}");
        assert!(resolved.iter().any(|s| s.contains("field=\"echo\"") && s.contains(" path=echo")), "{spans:?}");
        assert!(spans.iter().any(|s| s.starts_with("graphql.execute operation=\"Named\"")), "{spans:?}");
        assert!(!spans.concat().contains("SECRET-ARG"), "{spans:?}");
        assert!(spans_at(LevelFilter::INFO, "{ ok }").await.is_empty(), "nothing above debug");
    }
}

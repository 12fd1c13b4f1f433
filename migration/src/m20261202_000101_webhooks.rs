//! Webhooks: the endpoints partners and clinics register, the durable outbox of deliveries
//! (one row per event and endpoint, written in the transaction of the change it reports)
//! and the log of every attempt.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{foreign, index, one_of, owned_by};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000101_webhooks"
    }
}

/// Delivery statuses, as `WebhookDeliveryStatus` names them.
const DELIVERY_STATUSES: [&str; 3] = ["PENDING", "SUCCEEDED", "FAILED"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::Cascade;
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(pk_auto(WebhookEndpoints::Id))
                // Neither set: an ADMIN's endpoint, which hears every quote.
                .col(integer_null(WebhookEndpoints::PartnerId))
                .col(integer_null(WebhookEndpoints::ClinicId))
                .col(string_len(WebhookEndpoints::Url, 2048))
                .col(json_binary(WebhookEndpoints::EventTypes))
                .col(string(WebhookEndpoints::Secret))
                .col(string_null(WebhookEndpoints::PreviousSecret))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::PreviousSecretUntil))
                .col(boolean(WebhookEndpoints::Active))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::FailingSince))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::DeactivatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .foreign_key(&mut foreign(
                    WebhookEndpoints::Table,
                    WebhookEndpoints::PartnerId,
                    Alias::new("partners"),
                    Cascade,
                ))
                .foreign_key(&mut foreign(
                    WebhookEndpoints::Table,
                    WebhookEndpoints::ClinicId,
                    Alias::new("clinics"),
                    Cascade,
                ))
                .check((
                    "ck_webhook_endpoints_one_tenant".to_owned(),
                    Expr::col(WebhookEndpoints::PartnerId)
                        .is_null()
                        .or(Expr::col(WebhookEndpoints::ClinicId).is_null()),
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_webhook_endpoints_partner", &["partner_id", "id"][..]),
            ("ix_webhook_endpoints_clinic", &["clinic_id", "id"][..]),
        ] {
            m.create_index(index(name, WebhookEndpoints::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_auto(WebhookDeliveries::Id))
                .col(integer(WebhookDeliveries::EndpointId))
                .col(string_uniq(WebhookDeliveries::EventId))
                .col(string(WebhookDeliveries::EventType))
                .col(integer(WebhookDeliveries::QuoteId))
                .col(integer(WebhookDeliveries::QuoteEventId))
                // The exact bytes signed and sent, the same on every attempt.
                .col(text(WebhookDeliveries::Body))
                .col(string(WebhookDeliveries::Status))
                .col(integer(WebhookDeliveries::Attempts).default(0))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone(WebhookDeliveries::GiveUpAt))
                // A claim: the worker holding the delivery until then; past it, another may.
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LockedUntil))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LastAttemptAt))
                .col(integer_null(WebhookDeliveries::LastResponseStatus))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .foreign_key(&mut owned_by(
                    WebhookDeliveries::Table,
                    WebhookDeliveries::EndpointId,
                    WebhookEndpoints::Table,
                ))
                .foreign_key(&mut owned_by(WebhookDeliveries::Table, WebhookDeliveries::QuoteId, Alias::new("quotes")))
                .check(one_of("ck_webhook_deliveries_status", WebhookDeliveries::Status, &DELIVERY_STATUSES))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_webhook_deliveries_due", &["status", "next_attempt_at", "id"][..]),
            ("ix_webhook_deliveries_order", &["endpoint_id", "quote_id", "status", "id"][..]),
            ("ix_webhook_deliveries_endpoint", &["endpoint_id", "id"][..]),
        ] {
            m.create_index(index(name, WebhookDeliveries::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(WebhookAttempts::Table)
                .col(pk_auto(WebhookAttempts::Id))
                .col(integer(WebhookAttempts::DeliveryId))
                .col(timestamp_with_time_zone(WebhookAttempts::At))
                .col(integer_null(WebhookAttempts::ResponseStatus))
                .col(integer(WebhookAttempts::LatencyMs))
                .col(text_null(WebhookAttempts::ResponseExcerpt))
                .col(string_null(WebhookAttempts::Error))
                .foreign_key(&mut owned_by(
                    WebhookAttempts::Table,
                    WebhookAttempts::DeliveryId,
                    WebhookDeliveries::Table,
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_webhook_attempts_delivery", WebhookAttempts::Table, &["delivery_id", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookAttempts::Table).take()).await?;
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).take()).await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).take()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    PartnerId,
    ClinicId,
    Url,
    EventTypes,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    Active,
    FailingSince,
    DeactivatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    EventId,
    EventType,
    QuoteId,
    QuoteEventId,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    GiveUpAt,
    LockedUntil,
    LastAttemptAt,
    LastResponseStatus,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    At,
    ResponseStatus,
    LatencyMs,
    ResponseExcerpt,
    Error,
}

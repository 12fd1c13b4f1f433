//! Internal dashboards: when each quote first reached IN_REVIEW and OFFERED, kept on the
//! quote itself (written by the transition that gets there, in its transaction), so the
//! funnel and response times read one index instead of the event history; existing quotes
//! are filled from their events. Indexes for the dashboards' access paths:
//!
//! - `ix_quotes_dashboard`: every quote created in a range with all the columns a dashboard
//!   groups and counts by, so the range is one index scan that never touches the table rows
//!   (which carry the patient profile, JSON and ciphertext);
//! - `ix_quotes_clinic_offered`: one clinic's quotes of a range with their response time and
//!   funnel columns, for `Clinic.responseTime` and the dashboard's per-clinic rows (SQLite
//!   walks it clinic by clinic, already grouped, without reading the table);
//! - `ix_quote_offers_price`: an offer's price, currency and cell count by its quote;
//! - `ix_accreditations_expiring`: verified accreditations by expiry date.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::index;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000501_dashboards"
    }
}

/// The indexes this migration adds, as (name, table, columns).
const INDEXES: [(&str, Dash, &[&str]); 4] = [
    (
        "ix_quotes_dashboard",
        Dash::Quotes,
        &["created_at", "clinic_id", "partner_id", "status", "reviewed_at", "offered_at", "id"],
    ),
    ("ix_quotes_clinic_offered", Dash::Quotes, &["clinic_id", "created_at", "offered_at", "reviewed_at", "status"]),
    ("ix_quote_offers_price", Dash::QuoteOffers, &["quote_id", "currency_code", "cell_count_millions", "price_minor"]),
    ("ix_accreditations_expiring", Dash::Accreditations, &["status", "expires_on"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too, so a failure leaves no half-altered table behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for col in [Dash::ReviewedAt, Dash::OfferedAt] {
            m.alter_table(Table::alter().table(Dash::Quotes).add_column(timestamp_with_time_zone_null(col)).take())
                .await?;
        }
        // The first event into each status; the same SQL on both backends.
        m.get_connection()
            .execute_unprepared(
                "UPDATE quotes SET
                   reviewed_at = (SELECT MIN(e.at) FROM quote_events e
                                  WHERE e.quote_id = quotes.id AND e.to_status = 'IN_REVIEW'),
                   offered_at = (SELECT MIN(e.at) FROM quote_events e
                                 WHERE e.quote_id = quotes.id AND e.to_status = 'OFFERED')",
            )
            .await?;
        for (name, table, cols) in INDEXES {
            m.create_index(index(name, table, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Indexes first: SQLite refuses to drop a column an index names.
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        for col in [Dash::OfferedAt, Dash::ReviewedAt] {
            m.alter_table(Table::alter().table(Dash::Quotes).drop_column(col).take()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Dash {
    Quotes,
    QuoteOffers,
    Accreditations,
    ReviewedAt,
    OfferedAt,
}

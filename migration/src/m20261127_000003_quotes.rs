//! The quote workflow: quotes (tenancy, idempotency, optimistic version, the patient profile
//! with its notes as ciphertext), the clinic's offer and the append-only event history.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{foreign, index, one_of, within};
use crate::m20261127_000001_catalogue::{Clinics, TreatmentPackages, Treatments};
use crate::m20261127_000002_clients::{ApiClients, Partners};
use crate::vocab::{ELIGIBILITY_OUTCOMES, QUOTE_STATUSES};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000003_quotes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        m.create_table(
            Table::create()
                .table(Quotes::Table)
                .col(pk_auto(Quotes::Id))
                .col(integer(Quotes::PartnerId))
                .col(integer(Quotes::SubmittedBy))
                .col(integer(Quotes::ClinicId))
                .col(integer(Quotes::TreatmentId))
                .col(integer_null(Quotes::PackageId))
                .col(string(Quotes::IdempotencyKey))
                .col(string(Quotes::RequestFingerprint))
                .col(string(Quotes::Status))
                .col(integer(Quotes::Version).default(0))
                .col(integer_null(Quotes::RequestedCellCountMillions))
                .col(date_null(Quotes::TravelEarliest))
                .col(date_null(Quotes::TravelLatest))
                .col(string_null(Quotes::PatientReference))
                .col(integer(Quotes::PatientAgeYears))
                .col(char_len(Quotes::PatientCountry, 2))
                .col(boolean(Quotes::ChronicMigraineDiagnosis))
                .col(integer(Quotes::HeadacheDaysPerMonth))
                .col(json_binary(Quotes::TreatmentsTried))
                .col(json_binary(Quotes::Contraindications))
                .col(blob_null(Quotes::MedicalNotesCiphertext))
                .col(string_null(Quotes::MedicalNotesKeyId))
                .col(string(Quotes::EligibilityOutcome))
                .col(json_binary(Quotes::EligibilityReasons))
                .col(timestamp_with_time_zone(Quotes::CreatedAt))
                .col(timestamp_with_time_zone(Quotes::UpdatedAt))
                .foreign_key(&mut foreign(Quotes::Table, Quotes::PartnerId, Partners::Table, Restrict))
                .foreign_key(&mut foreign(Quotes::Table, Quotes::SubmittedBy, ApiClients::Table, Restrict))
                .foreign_key(&mut foreign(Quotes::Table, Quotes::ClinicId, Clinics::Table, Restrict))
                .foreign_key(&mut foreign(Quotes::Table, Quotes::TreatmentId, Treatments::Table, Restrict))
                .foreign_key(&mut foreign(Quotes::Table, Quotes::PackageId, TreatmentPackages::Table, SetNull))
                .check(one_of("ck_quotes_status", Quotes::Status, &QUOTE_STATUSES))
                .check(one_of("ck_quotes_eligibility", Quotes::EligibilityOutcome, &ELIGIBILITY_OUTCOMES))
                .check(("ck_quotes_version".to_owned(), Expr::col(Quotes::Version).gte(0)))
                .check(within("ck_quotes_age", Quotes::PatientAgeYears, 18, 100))
                .check(within("ck_quotes_headache_days", Quotes::HeadacheDaysPerMonth, 0, 31))
                .check(within("ck_quotes_cell_count", Quotes::RequestedCellCountMillions, 1, 100_000))
                .check((
                    "ck_quotes_travel_window".to_owned(),
                    Expr::col(Quotes::TravelEarliest)
                        .is_null()
                        .or(Expr::col(Quotes::TravelLatest).is_null())
                        .or(Expr::col(Quotes::TravelLatest).gte(Expr::col(Quotes::TravelEarliest))),
                ))
                // Ciphertext and the id of the key that made it travel together.
                .check((
                    "ck_quotes_notes_key".to_owned(),
                    Expr::col(Quotes::MedicalNotesCiphertext)
                        .is_null()
                        .eq(Expr::col(Quotes::MedicalNotesKeyId).is_null()),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("uq_quotes_partner_idempotency", Quotes::Table, &["partner_id", "idempotency_key"]).unique().take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_quotes_created", &["created_at", "id"][..]),
            ("ix_quotes_partner_created", &["partner_id", "created_at", "id"][..]),
            ("ix_quotes_clinic_created", &["clinic_id", "created_at", "id"][..]),
            ("ix_quotes_status", &["status", "created_at"][..]),
        ] {
            m.create_index(index(name, Quotes::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(QuoteOffers::Table)
                .col(pk_auto(QuoteOffers::Id))
                .col(integer_uniq(QuoteOffers::QuoteId))
                .col(big_integer(QuoteOffers::PriceMinor))
                .col(char_len(QuoteOffers::CurrencyCode, 3))
                .col(integer(QuoteOffers::CellCountMillions))
                .col(integer(QuoteOffers::Sessions))
                .col(integer(QuoteOffers::StayDays))
                .col(json_binary(QuoteOffers::Inclusions))
                .col(timestamp_with_time_zone(QuoteOffers::ValidUntil))
                .col(text_null(QuoteOffers::Notes))
                .col(integer(QuoteOffers::CreatedBy))
                .col(timestamp_with_time_zone(QuoteOffers::CreatedAt))
                .foreign_key(&mut foreign(QuoteOffers::Table, QuoteOffers::QuoteId, Quotes::Table, Cascade))
                .foreign_key(&mut foreign(QuoteOffers::Table, QuoteOffers::CreatedBy, ApiClients::Table, Restrict))
                .check(("ck_quote_offers_price".to_owned(), Expr::col(QuoteOffers::PriceMinor).gte(0)))
                .check(within("ck_quote_offers_cell_count", QuoteOffers::CellCountMillions, 1, 100_000))
                .check(within("ck_quote_offers_sessions", QuoteOffers::Sessions, 1, 100))
                .check(within("ck_quote_offers_stay_days", QuoteOffers::StayDays, 0, 365))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(QuoteEvents::Table)
                .col(pk_auto(QuoteEvents::Id))
                .col(integer(QuoteEvents::QuoteId))
                .col(timestamp_with_time_zone(QuoteEvents::At))
                .col(string_null(QuoteEvents::FromStatus))
                .col(string(QuoteEvents::ToStatus))
                .col(string(QuoteEvents::ActorClientId))
                .col(string(QuoteEvents::ActorRole))
                .col(text_null(QuoteEvents::Note))
                .foreign_key(&mut foreign(QuoteEvents::Table, QuoteEvents::QuoteId, Quotes::Table, Cascade))
                .check(one_of("ck_quote_events_to", QuoteEvents::ToStatus, &QUOTE_STATUSES))
                .take(),
        )
        .await?;
        m.create_index(index("ix_quote_events_quote", QuoteEvents::Table, &["quote_id", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(QuoteEvents::Table).take()).await?;
        m.drop_table(Table::drop().table(QuoteOffers::Table).take()).await?;
        m.drop_table(Table::drop().table(Quotes::Table).take()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Quotes {
    Table,
    Id,
    PartnerId,
    SubmittedBy,
    ClinicId,
    TreatmentId,
    PackageId,
    IdempotencyKey,
    RequestFingerprint,
    Status,
    Version,
    RequestedCellCountMillions,
    TravelEarliest,
    TravelLatest,
    PatientReference,
    PatientAgeYears,
    PatientCountry,
    ChronicMigraineDiagnosis,
    HeadacheDaysPerMonth,
    TreatmentsTried,
    Contraindications,
    MedicalNotesCiphertext,
    MedicalNotesKeyId,
    EligibilityOutcome,
    EligibilityReasons,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QuoteOffers {
    Table,
    Id,
    QuoteId,
    PriceMinor,
    CurrencyCode,
    CellCountMillions,
    Sessions,
    StayDays,
    Inclusions,
    ValidUntil,
    Notes,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum QuoteEvents {
    Table,
    Id,
    QuoteId,
    At,
    FromStatus,
    ToStatus,
    ActorClientId,
    ActorRole,
    Note,
}

//! Catalogue administration: a lifecycle status for clinics (replacing the `published` flag,
//! whose rows carry over: published → PUBLISHED, unpublished → DRAFT), a version on every
//! record staff or clinics edit (optimistic concurrency), who verified each piece of evidence
//! and when, a status for partners, unique certificate and lot numbers, and the append-only
//! audit log.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::index;
use crate::m20261127_000001_catalogue::{Clinics, TreatmentPackages, Treatments};
use crate::m20261127_000002_clients::Partners;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000005_administration"
    }
}

/// The stored clinic statuses (the `ClinicStatus` enum of the contract).
pub const CLINIC_STATUSES: [&str; 4] = ["DRAFT", "PUBLISHED", "SUSPENDED", "ARCHIVED"];
/// The stored partner statuses.
pub const PARTNER_STATUSES: [&str; 2] = ["ACTIVE", "SUSPENDED"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too, so a failure leaves no half-altered table behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Clinic status: added with a default, filled from `published`, then `published` goes.
        let status = ColumnDef::new(Admin::Status)
            .string()
            .not_null()
            .default("DRAFT")
            .check(Expr::col(Admin::Status).is_in(CLINIC_STATUSES))
            .take();
        m.alter_table(Table::alter().table(Clinics::Table).add_column(status).to_owned()).await?;
        m.get_connection()
            .execute(
                &Query::update()
                    .table(Clinics::Table)
                    .value(Admin::Status, "PUBLISHED")
                    .and_where(Expr::col(Clinics::Published).eq(true))
                    .take(),
            )
            .await?;
        m.alter_table(Table::alter().table(Clinics::Table).drop_column(Clinics::Published).to_owned()).await?;
        m.create_index(index("ix_clinics_status", Clinics::Table, &["status", "id"])).await?;

        // A version on every record administration edits. One column per statement: SQLite
        // alters one thing at a time.
        for table in [
            Treatments::Table.into_iden(),
            Clinics::Table.into_iden(),
            Admin::Doctors.into_iden(),
            Admin::Accreditations.into_iden(),
            Admin::CertificatesOfAnalysis.into_iden(),
            TreatmentPackages::Table.into_iden(),
        ] {
            let version = ColumnDef::new(Admin::Version).integer().not_null().default(1).take();
            m.alter_table(Table::alter().table(table).add_column(version).to_owned()).await?;
        }
        for table in [Admin::Accreditations, Admin::CertificatesOfAnalysis] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(ColumnDef::new(Admin::VerifiedAt).timestamp_with_time_zone().null())
                    .take(),
            )
            .await?;
            m.alter_table(
                Table::alter().table(table).add_column(ColumnDef::new(Admin::VerifiedBy).string().null()).take(),
            )
            .await?;
        }
        // A certificate number is issued once by its body; a lot number once per clinic.
        m.create_index(
            index("uq_accreditations_number", Admin::Accreditations, &["body", "certificate_number"]).unique().take(),
        )
        .await?;
        m.create_index(
            index("uq_coa_clinic_lot", Admin::CertificatesOfAnalysis, &["clinic_id", "lot_number"]).unique().take(),
        )
        .await?;

        let partner_status = ColumnDef::new(Admin::Status)
            .string()
            .not_null()
            .default("ACTIVE")
            .check(Expr::col(Admin::Status).is_in(PARTNER_STATUSES))
            .take();
        m.alter_table(Table::alter().table(Partners::Table).add_column(partner_status).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(AuditRecords::Table)
                .col(pk_auto(AuditRecords::Id))
                .col(timestamp_with_time_zone(AuditRecords::At))
                .col(string(AuditRecords::Actor))
                .col(string(AuditRecords::ActorRole))
                .col(string(AuditRecords::Action))
                .col(string(AuditRecords::EntityType))
                .col(string(AuditRecords::EntityId))
                .col(json_binary_null(AuditRecords::Before))
                .col(json_binary_null(AuditRecords::After))
                .col(text_null(AuditRecords::Note))
                .take(),
        )
        .await?;
        m.create_index(index("ix_audit_entity", AuditRecords::Table, &["entity_id", "id"])).await?;
        m.create_index(index("ix_audit_actor", AuditRecords::Table, &["actor", "id"])).await?;
        m.create_index(index("ix_audit_at", AuditRecords::Table, &["at", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditRecords::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Partners::Table).drop_column(Admin::Status).to_owned()).await?;
        m.drop_index(Index::drop().name("uq_coa_clinic_lot").table(Admin::CertificatesOfAnalysis).to_owned()).await?;
        m.drop_index(Index::drop().name("uq_accreditations_number").table(Admin::Accreditations).to_owned()).await?;
        for table in [Admin::Accreditations, Admin::CertificatesOfAnalysis] {
            m.alter_table(Table::alter().table(table).drop_column(Admin::VerifiedBy).to_owned()).await?;
            m.alter_table(Table::alter().table(table).drop_column(Admin::VerifiedAt).to_owned()).await?;
        }
        for table in [
            Treatments::Table.into_iden(),
            Clinics::Table.into_iden(),
            Admin::Doctors.into_iden(),
            Admin::Accreditations.into_iden(),
            Admin::CertificatesOfAnalysis.into_iden(),
            TreatmentPackages::Table.into_iden(),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(Admin::Version).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Clinics::Table)
                .add_column(ColumnDef::new(Clinics::Published).boolean().not_null().default(true))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute(
                &Query::update()
                    .table(Clinics::Table)
                    .value(Clinics::Published, false)
                    .and_where(Expr::col(Admin::Status).ne("PUBLISHED"))
                    .take(),
            )
            .await?;
        m.drop_index(Index::drop().name("ix_clinics_status").table(Clinics::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Clinics::Table).drop_column(Admin::Status).to_owned()).await?;
        Ok(())
    }
}

/// Tables and columns this migration touches.
#[derive(DeriveIden, Clone, Copy)]
enum Admin {
    Doctors,
    Accreditations,
    CertificatesOfAnalysis,
    Status,
    Version,
    VerifiedAt,
    VerifiedBy,
}

#[derive(DeriveIden)]
enum AuditRecords {
    Table,
    Id,
    At,
    Actor,
    ActorRole,
    Action,
    EntityType,
    EntityId,
    Before,
    After,
    Note,
}

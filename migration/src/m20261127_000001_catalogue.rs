//! The catalogue: treatments, clinics and the evidence behind each clinic's claims
//! (doctors, accreditations, certificates of analysis with marker results) and its packages.

use sea_orm_migration::{prelude::*, schema::*};

use crate::builders::{index, one_of, owned_by, within};
use crate::vocab::{ACCREDITATION_BODIES, CELL_SOURCES, STORED_VERIFICATION, TEST_OUTCOMES};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_catalogue"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Treatments::Table)
                .col(pk_auto(Treatments::Id))
                .col(string_uniq(Treatments::Slug))
                .col(string(Treatments::Name))
                .col(string(Treatments::Condition))
                .col(text(Treatments::Description))
                .col(text(Treatments::RegulatoryNote))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Clinics::Table)
                .col(pk_auto(Clinics::Id))
                .col(string_uniq(Clinics::Slug))
                .col(string(Clinics::Name))
                .col(char_len(Clinics::CountryCode, 2))
                .col(string(Clinics::City))
                .col(text(Clinics::Description))
                .col(string_null(Clinics::Website))
                .col(json_binary(Clinics::Languages))
                .col(boolean(Clinics::Published).default(true))
                .col(integer(Clinics::SafetyScore).default(0))
                .col(timestamp_with_time_zone_null(Clinics::SafetyScoreValidUntil))
                .col(big_integer_null(Clinics::LowestPriceUsdMinor))
                .col(timestamp_with_time_zone(Clinics::CreatedAt))
                .col(timestamp_with_time_zone(Clinics::UpdatedAt))
                .check(within("ck_clinics_safety_score", Clinics::SafetyScore, 0, 6))
                .check((
                    "ck_clinics_country_code".to_owned(),
                    Expr::col(Clinics::CountryCode).eq(Func::upper(Expr::col(Clinics::CountryCode))),
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_clinics_name", &["name", "id"][..]),
            ("ix_clinics_lowest_price", &["lowest_price_usd_minor", "id"][..]),
            ("ix_clinics_safety_score", &["safety_score", "id"][..]),
            ("ix_clinics_country_city", &["country_code", "city"][..]),
            ("ix_clinics_score_valid_until", &["safety_score_valid_until"][..]),
        ] {
            m.create_index(index(name, Clinics::Table, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table(Doctors::Table)
                .col(pk_auto(Doctors::Id))
                .col(integer(Doctors::ClinicId))
                .col(string(Doctors::Name))
                .col(string(Doctors::Title))
                .col(string_null(Doctors::LicenseNumber))
                .col(integer_null(Doctors::YearsOfExperience))
                .col(json_binary(Doctors::Specialties))
                .foreign_key(&mut owned_by(Doctors::Table, Doctors::ClinicId, Clinics::Table))
                .check(within("ck_doctors_years", Doctors::YearsOfExperience, 0, 80))
                .take(),
        )
        .await?;
        m.create_index(index("ix_doctors_clinic", Doctors::Table, &["clinic_id", "id"])).await?;

        m.create_table(
            Table::create()
                .table(Accreditations::Table)
                .col(pk_auto(Accreditations::Id))
                .col(integer(Accreditations::ClinicId))
                .col(string(Accreditations::Body))
                .col(string(Accreditations::BodyName))
                .col(string(Accreditations::CertificateNumber))
                .col(date_null(Accreditations::IssuedOn))
                .col(date_null(Accreditations::ExpiresOn))
                .col(string(Accreditations::Status))
                .foreign_key(&mut owned_by(Accreditations::Table, Accreditations::ClinicId, Clinics::Table))
                .check(one_of("ck_accreditations_body", Accreditations::Body, &ACCREDITATION_BODIES))
                .check(one_of("ck_accreditations_status", Accreditations::Status, &STORED_VERIFICATION))
                .check((
                    "ck_accreditations_dates".to_owned(),
                    Expr::col(Accreditations::ExpiresOn)
                        .is_null()
                        .or(Expr::col(Accreditations::IssuedOn).is_null())
                        .or(Expr::col(Accreditations::ExpiresOn).gte(Expr::col(Accreditations::IssuedOn))),
                ))
                .take(),
        )
        .await?;
        m.create_index(index("ix_accreditations_clinic", Accreditations::Table, &["clinic_id", "id"])).await?;
        m.create_index(index("ix_accreditations_body", Accreditations::Table, &["body", "status", "clinic_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(CertificatesOfAnalysis::Table)
                .col(pk_auto(CertificatesOfAnalysis::Id))
                .col(integer(CertificatesOfAnalysis::ClinicId))
                .col(string(CertificatesOfAnalysis::LotNumber))
                .col(string(CertificatesOfAnalysis::LaboratoryName))
                .col(string_null(CertificatesOfAnalysis::LaboratoryAccreditation))
                .col(date(CertificatesOfAnalysis::IssuedOn))
                .col(string(CertificatesOfAnalysis::CellSource))
                .col(integer(CertificatesOfAnalysis::CellCountMillions))
                .col(double(CertificatesOfAnalysis::ViabilityPercent))
                .col(string(CertificatesOfAnalysis::Sterility))
                .col(string(CertificatesOfAnalysis::Endotoxin))
                .col(string(CertificatesOfAnalysis::Mycoplasma))
                .col(string_null(CertificatesOfAnalysis::DocumentUrl))
                .col(string_null(CertificatesOfAnalysis::DocumentSha256))
                .col(string(CertificatesOfAnalysis::Status))
                .foreign_key(&mut owned_by(
                    CertificatesOfAnalysis::Table,
                    CertificatesOfAnalysis::ClinicId,
                    Clinics::Table,
                ))
                .check(one_of("ck_coa_cell_source", CertificatesOfAnalysis::CellSource, &CELL_SOURCES))
                .check(within("ck_coa_cell_count", CertificatesOfAnalysis::CellCountMillions, 1, 100_000))
                .check((
                    "ck_coa_viability".to_owned(),
                    Expr::col(CertificatesOfAnalysis::ViabilityPercent).between(0.0, 100.0),
                ))
                .check(one_of("ck_coa_sterility", CertificatesOfAnalysis::Sterility, &TEST_OUTCOMES))
                .check(one_of("ck_coa_endotoxin", CertificatesOfAnalysis::Endotoxin, &TEST_OUTCOMES))
                .check(one_of("ck_coa_mycoplasma", CertificatesOfAnalysis::Mycoplasma, &TEST_OUTCOMES))
                .check(one_of("ck_coa_status", CertificatesOfAnalysis::Status, &STORED_VERIFICATION))
                .take(),
        )
        .await?;
        m.create_index(index("ix_coa_clinic_issued", CertificatesOfAnalysis::Table, &["clinic_id", "issued_on", "id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(CoaMarkers::Table)
                .col(pk_auto(CoaMarkers::Id))
                .col(integer(CoaMarkers::CertificateId))
                .col(string(CoaMarkers::Marker))
                .col(double(CoaMarkers::PercentPositive))
                .foreign_key(&mut owned_by(CoaMarkers::Table, CoaMarkers::CertificateId, CertificatesOfAnalysis::Table))
                .check((
                    "ck_coa_markers_percent".to_owned(),
                    Expr::col(CoaMarkers::PercentPositive).between(0.0, 100.0),
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index("uq_coa_markers_marker", CoaMarkers::Table, &["certificate_id", "marker"]).unique().take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TreatmentPackages::Table)
                .col(pk_auto(TreatmentPackages::Id))
                .col(integer(TreatmentPackages::ClinicId))
                .col(integer(TreatmentPackages::TreatmentId))
                .col(string(TreatmentPackages::Name))
                .col(string(TreatmentPackages::CellSource))
                .col(integer(TreatmentPackages::CellCountMillions))
                .col(json_binary(TreatmentPackages::AdministrationRoutes))
                .col(integer(TreatmentPackages::Sessions))
                .col(integer(TreatmentPackages::StayDays))
                .col(big_integer(TreatmentPackages::PriceMinor))
                .col(char_len(TreatmentPackages::CurrencyCode, 3))
                .col(big_integer(TreatmentPackages::PriceUsdMinor))
                .col(json_binary(TreatmentPackages::Inclusions))
                .col(boolean(TreatmentPackages::Active).default(true))
                .foreign_key(&mut owned_by(TreatmentPackages::Table, TreatmentPackages::ClinicId, Clinics::Table))
                .foreign_key(
                    ForeignKey::create()
                        .from_tbl(TreatmentPackages::Table)
                        .from_col(TreatmentPackages::TreatmentId)
                        .to_tbl(Treatments::Table)
                        .to_col(Treatments::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .check(one_of("ck_packages_cell_source", TreatmentPackages::CellSource, &CELL_SOURCES))
                .check(within("ck_packages_cell_count", TreatmentPackages::CellCountMillions, 1, 100_000))
                .check(within("ck_packages_sessions", TreatmentPackages::Sessions, 1, 100))
                .check(within("ck_packages_stay_days", TreatmentPackages::StayDays, 0, 365))
                .check(("ck_packages_price".to_owned(), Expr::col(TreatmentPackages::PriceMinor).gte(0)))
                .check(("ck_packages_price_usd".to_owned(), Expr::col(TreatmentPackages::PriceUsdMinor).gte(0)))
                .check((
                    "ck_packages_currency".to_owned(),
                    Expr::col(TreatmentPackages::CurrencyCode)
                        .eq(Func::upper(Expr::col(TreatmentPackages::CurrencyCode))),
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            ("ix_packages_clinic", &["clinic_id", "active", "id"][..]),
            ("ix_packages_treatment_filter", &["treatment_id", "active", "cell_source", "cell_count_millions"][..]),
            ("ix_packages_price_usd", &["active", "price_usd_minor", "clinic_id"][..]),
        ] {
            m.create_index(index(name, TreatmentPackages::Table, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TreatmentPackages::Table.into_iden(),
            CoaMarkers::Table.into_iden(),
            CertificatesOfAnalysis::Table.into_iden(),
            Accreditations::Table.into_iden(),
            Doctors::Table.into_iden(),
            Clinics::Table.into_iden(),
            Treatments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub(crate) enum Treatments {
    Table,
    Id,
    Slug,
    Name,
    Condition,
    Description,
    RegulatoryNote,
}

#[derive(DeriveIden)]
pub(crate) enum Clinics {
    Table,
    Id,
    Slug,
    Name,
    CountryCode,
    City,
    Description,
    Website,
    Languages,
    Published,
    SafetyScore,
    SafetyScoreValidUntil,
    LowestPriceUsdMinor,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Doctors {
    Table,
    Id,
    ClinicId,
    Name,
    Title,
    LicenseNumber,
    YearsOfExperience,
    Specialties,
}

#[derive(DeriveIden)]
enum Accreditations {
    Table,
    Id,
    ClinicId,
    Body,
    BodyName,
    CertificateNumber,
    IssuedOn,
    ExpiresOn,
    Status,
}

#[derive(DeriveIden)]
enum CertificatesOfAnalysis {
    Table,
    Id,
    ClinicId,
    LotNumber,
    LaboratoryName,
    LaboratoryAccreditation,
    IssuedOn,
    CellSource,
    CellCountMillions,
    ViabilityPercent,
    Sterility,
    Endotoxin,
    Mycoplasma,
    DocumentUrl,
    DocumentSha256,
    Status,
}

#[derive(DeriveIden)]
enum CoaMarkers {
    Table,
    Id,
    CertificateId,
    Marker,
    PercentPositive,
}

#[derive(DeriveIden)]
pub(crate) enum TreatmentPackages {
    Table,
    Id,
    ClinicId,
    TreatmentId,
    Name,
    CellSource,
    CellCountMillions,
    AdministrationRoutes,
    Sessions,
    StayDays,
    PriceMinor,
    CurrencyCode,
    PriceUsdMinor,
    Inclusions,
    Active,
}

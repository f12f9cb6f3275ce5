//! The command line: every subcommand and its flags (clap). `main.rs` parses them into domain
//! values and calls the libraries.

use crate::{fees, outputs, research, scenario, users};
use clap::Subcommand;
use std::path::PathBuf;
use vardhub_ingest::Lang;

#[derive(Debug, Subcommand)]
pub(crate) enum DeliveriesCommand {
    /// Bekräfta en vilande leverans (regionen har bekräftat minskningen): den publiceras och
    /// ersätter den gällande; loggas i granskningsloggen / confirm a held delivery: it is published
    /// and supersedes the current one; recorded in the audit log.
    Confirm {
        /// Leverans-id, t.ex. vardkontakter-01-2024-03-v2.
        delivery_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Skapa en ny hubb / create a new hub.
    Init {
        /// Hubben tar bara emot syntetiska data / the hub accepts synthetic data only.
        #[arg(long)]
        synthetic: bool,
    },
    /// Ta emot leveranser (mappar eller zip-filer) / ingest deliveries (folders or zip files).
    ///
    /// Exit code 0: all accepted; 1: at least one rejected; 2: usage or system error.
    Ingest {
        /// Leveranser / deliveries.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Skriv rapporterna som JSON / print the reports as JSON.
        #[arg(long)]
        json: bool,
        /// Avsändarens region: leveranser för andra regioner avvisas / the sender's region.
        #[arg(long = "as-region")]
        as_region: Option<String>,
        /// Språk för sammanfattningen / language of the summary.
        #[arg(long, default_value = "sv")]
        lang: LangArg,
        /// Ingen förloppsindikator / no progress bar.
        #[arg(long)]
        quiet: bool,
        /// Publicera bara; beräkna inte indikatorerna nu (t.ex. när flera leveranser kommer i
        /// omgångar; `vardhub indicators compute` beräknar senare) / publish only; do not compute
        /// the indicators now.
        #[arg(long = "no-compute")]
        no_compute: bool,
    },
    /// Lista leveranser / list deliveries.
    Deliveries {
        /// Bara denna region (länskod) / only this region.
        #[arg(long)]
        region: Option<String>,
        /// Bara denna datasamling / only this collection.
        #[arg(long)]
        collection: Option<String>,
        /// JSON.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<DeliveriesCommand>,
    },
    /// Visa en leverans kvalitetsrapport / show a delivery's quality report.
    Report {
        /// Leverans-id, t.ex. vardkontakter-01-2024-03-v1.
        delivery_id: String,
        /// JSON i stället för sammanfattning / JSON instead of a summary.
        #[arg(long)]
        json: bool,
        /// Språk / language.
        #[arg(long, default_value = "sv")]
        lang: LangArg,
    },
    /// Visa datasamlingarnas specifikationer / show the collections' specifications.
    Specs {
        /// En samling / one collection.
        id: Option<String>,
    },
    /// Indikatorer / indicators.
    Indicators {
        #[command(subcommand)]
        action: IndicatorCommand,
    },
    /// Analyser på patientnivå (vårdkedjor) / patient-level analyses (care chains).
    Analyses {
        #[command(subcommand)]
        action: AnalysisCommand,
    },
    /// Indikatorrecept i hubben: inlämning, granskning, godkännande / recipes on the hub.
    Recipes {
        #[command(subcommand)]
        action: RecipesCommand,
    },
    /// Definitioner (datamängder, indikatorrecept, röjandepolicy) / definitions.
    Definitions {
        #[command(subcommand)]
        action: DefinitionsCommand,
    },
    /// Granskningsloggen / the audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Skapa ett syntetiskt Sverige: leveranser för alla regioner med planterad sanning
    /// / generate a synthetic Sweden: deliveries for all regions with planted truth.
    Synth {
        /// Utkatalog / output folder (must be empty or absent).
        #[arg(long)]
        out: PathBuf,
        /// Andel av Sveriges befolkning (1.0 ≈ 10,55 miljoner) / share of the population.
        #[arg(long, default_value_t = 0.01)]
        scale: f64,
        /// Slumpfrö / random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Första månad / first month (ÅÅÅÅ-MM).
        #[arg(long, default_value = "2024-01")]
        from: String,
        /// Sista månad / last month (ÅÅÅÅ-MM).
        #[arg(long, default_value = "2024-12")]
        to: String,
        /// Teckenkodning / encoding.
        #[arg(long, default_value = "utf-8")]
        encoding: EncodingArg,
        /// Andel rader med inplanterade fel / share of rows with injected defects (0–0.05).
        #[arg(long, default_value_t = 0.0)]
        defects: f64,
        /// Scenario: vårdtiden för höftfraktur (eller KODER) gånger FAKTOR i REGION från START
        /// / what-if: length of stay of hip fractures (or CODES) × FACTOR (e.g. 06:0.9:2024-04-01).
        #[arg(long, value_name = "REGION:FACTOR:START[:CODES]", value_parser = vardhub_synth::ScenarioChange::parse_los, conflicts_with = "scenario_beds")]
        scenario_los: Option<vardhub_synth::ScenarioChange>,
        /// Scenario: BEDS fler disponibla vårdplatser i REGION från START
        /// / what-if: BEDS more staffed beds (e.g. 04:20:2024-04-01).
        #[arg(long, value_name = "REGION:BEDS:START", value_parser = vardhub_synth::ScenarioChange::parse_beds, conflicts_with = "scenario_first_visits")]
        scenario_beds: Option<vardhub_synth::ScenarioChange>,
        /// Scenario: nybesökskapaciteten gånger FAKTOR i REGION från START
        /// / what-if: first-visit capacity × FACTOR (e.g. 25:1.1:2024-07-01).
        #[arg(long, value_name = "REGION:FACTOR:START", value_parser = vardhub_synth::ScenarioChange::parse_first_visits, conflicts_with = "scenario_los")]
        scenario_first_visits: Option<vardhub_synth::ScenarioChange>,
    },
    /// Demonstration: syntetiskt Sverige in, kvalitetsrapporter och leveransöversikt ut
    /// / demo: synthetic Sweden in, quality reports and delivery overview out.
    Demo {
        /// Andel av befolkningen / share of the population.
        #[arg(long, default_value_t = 0.01)]
        scale: f64,
        /// Första månad / first month.
        #[arg(long, default_value = "2024-01")]
        from: String,
        /// Sista månad / last month (twelve months: the before/after analysis needs 90 days
        /// on each side of its index).
        #[arg(long, default_value = "2024-12")]
        to: String,
        /// Behåll de genererade leveranserna / keep the generated deliveries.
        #[arg(long)]
        keep_deliveries: bool,
        /// Webbserverns adress / the web server's address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Starta inte webbservern efteråt / do not start the web server afterwards.
        #[arg(long)]
        no_serve: bool,
    },
    /// Starta webbservern (API och instrumentpanel) / start the web server (API and dashboard).
    ///
    /// The server never reads the master key: hemhämtning uses the release-keys file.
    Serve {
        /// Adress / address.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Utlämningsnycklar för hemhämtning (`vardhub keys export-release`) / release keys for
        /// hemhämtning. Default: KEY_DIR/release.keys when it exists (otherwise no hemhämtning).
        #[arg(long, env = "VARDHUB_RELEASE_KEYS")]
        release_keys: Option<PathBuf>,
        /// Hubben nås över HTTPS (TLS framför den; krävs i produktion): Secure-kakor /
        /// the hub is reached over HTTPS (TLS in front of it; required in production).
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Hubbens nycklar / the hub's keys.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Användare och API-token / users and API tokens.
    Users {
        #[command(subcommand)]
        action: users::UserCommand,
    },
    /// Avgifter: registrerad tid och resurser, fakturaunderlag / fees: recorded time and
    /// resources, invoice basis.
    Fees {
        #[command(subcommand)]
        action: fees::FeesCommand,
    },
    /// Utdatagranskning: inlämning, maskinell kontroll, granskarens beslut / output checking:
    /// submission, machine check, the checker's decision.
    Outputs {
        #[command(subcommand)]
        action: outputs::OutputsCommand,
    },
    /// Ta bort ersatta versioner äldre än N dagar / remove superseded versions older than N days.
    Gc {
        /// Dagar / days.
        #[arg(long, default_value_t = 30)]
        older_than_days: i64,
    },
    /// Vad händer om? Scenarier för vårdplatser och väntelistor / what-if scenarios for beds and
    /// waiting lists.
    Scenario {
        #[command(subcommand)]
        action: scenario::ScenarioCommand,
    },
    /// Forskningsprojekt och utlämningar till dem / research projects and releases to them.
    Research {
        #[command(subcommand)]
        action: research::ResearchCommand,
    },
    /// Leveranser uppladdade över HTTP: inläsningsarbetaren / deliveries uploaded over HTTP: the
    /// ingest worker.
    Inbox {
        #[command(subcommand)]
        action: crate::cli_inbox::InboxCommand,
    },
    /// Externa källors indikatorvärden (spår A) / external sources' indicator values (track A).
    Sources {
        #[command(subcommand)]
        action: crate::cli_sources::SourcesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum DefinitionsCommand {
    /// Kontrollera en definitionskatalog: syntax, fält, variabler och koder mot
    /// specifikationerna, enheter, målnivåer och byggblockens parametrar / check a definitions
    /// folder; every mistake names file, line and field. Exit 1 if there is any.
    Check {
        /// Katalogen / the folder (with specs/, indicators/, policies/).
        dir: PathBuf,
    },
}

/// Steps of a recipe's life cycle.
#[derive(Debug, Subcommand)]
pub(crate) enum RecipesCommand {
    /// Lämna in ett recept (kontrolleras; blir utkast) / submit a recipe (checked; becomes a draft).
    Submit {
        /// Receptfilen / the recipe file.
        file: PathBuf,
        /// Vem / who (default: the login name).
        #[arg(long)]
        by: Option<String>,
    },
    /// Till granskning / to review.
    Review(Step),
    /// Godkänn: beräknas och publiceras i officiella körningar / approve: computed and published.
    Approve(Step),
    /// Tillbaka till utkast (ändringar begärs) / back to draft (changes asked for).
    Draft(Step),
    /// Dra tillbaka / retire.
    Retire(Step),
    /// Lista recepten och deras steg / list the recipes and their steps.
    List,
}

/// One step: which recipe, who and why.
#[derive(Debug, clap::Args)]
pub(crate) struct Step {
    /// Receptets hash eller indikator-id / the recipe's hash or indicator id.
    pub(crate) recipe: String,
    /// Vem / who (default: the login name).
    #[arg(long)]
    pub(crate) by: Option<String>,
    /// Motivering / why.
    #[arg(long, default_value = "")]
    pub(crate) note: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AnalysisCommand {
    /// Lista analysrecepten / list the analysis recipes.
    List,
    /// Kör en analys på sjön; sparas som körning av typen analys och publiceras inte; visar det
    /// allmänheten får se / run an analysis; stored as a run of kind analysis, never published;
    /// prints what the public may see.
    Run {
        /// Analysens id / the analysis id (`vardhub analyses list`).
        id: String,
        /// Visa denna region (länskod; standard alla regioner, 00) / show this region.
        #[arg(long)]
        region: Option<String>,
        /// JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum IndicatorCommand {
    /// Lista indikatorrecepten / list the indicator recipes.
    List,
    /// Beräkna indikatorer över sjön / compute indicators over the lake.
    Compute {
        /// Bara denna indikator / only this indicator.
        #[arg(long)]
        indicator: Option<String>,
        /// Läs sjön som den var vid denna tidpunkt (RFC 3339) / read the lake as of this moment.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Pröva ett indikatorrecept (utkast) på sjön: kontrolleras, beräknas och visas opublicerat
    /// och utan röjandekontroll för behörig operatör; sparas som utkastkörning / try a draft
    /// recipe on the lake: checked, computed and shown unsuppressed, never published.
    Try {
        /// Receptfilen / the recipe file.
        file: PathBuf,
    },
    /// Visa en indikators värden från senaste beräkningen / show an indicator from the latest run.
    Show {
        /// Indikator-id.
        id: String,
        /// Region (länskod); visar då alla kön och åldersgrupper / region: shows all strata.
        #[arg(long)]
        region: Option<String>,
        /// Månad / month (ÅÅÅÅ-MM).
        #[arg(long)]
        period: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Skriv regionernas utlämningsnycklar (för `serve`) / write the regions' release keys (for
    /// `serve`); never the master key.
    ExportRelease {
        /// Utfil (ny, utanför datakatalogen) / output file (new, outside the data directory).
        /// Default: KEY_DIR/release.keys.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Visa hubbens nyckelkatalog / print the hub's key folder.
    Path,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// Kontrollera hashkedjan / verify the hash chain.
    Verify,
    /// Loggkontroll: vem läste vad, nekade försök och ovanliga mönster (exit 1 vid flaggor)
    /// / log review: who read what, refused attempts and unusual patterns (exit 1 when flagged).
    Review {
        /// Första dag (svensk tid) / first day (Swedish time), YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Sista dag / last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// En regions CSV i stället för sammanfattningen / one region's CSV instead of the summary.
        #[arg(long)]
        region: Option<String>,
        /// Antal per användare och dag i stället för varje händelse / counts per user and day.
        #[arg(long)]
        daily: bool,
        /// Skriv CSV till fil / write the CSV to a file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum EncodingArg {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252")]
    Windows1252,
}

impl From<EncodingArg> for vardhub_domain::Encoding {
    fn from(e: EncodingArg) -> Self {
        match e {
            EncodingArg::Utf8 => vardhub_domain::Encoding::Utf8,
            EncodingArg::Windows1252 => vardhub_domain::Encoding::Windows1252,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum LangArg {
    Sv,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Sv => Lang::Sv,
            LangArg::En => Lang::En,
        }
    }
}

//! Run the generator from the command line (benchmarks and manual checks):
//!
//! ```text
//! cargo run --release -p vardhub-synth --example synth -- OUT SCALE SEED FROM TO [DEFECTS] [ENCODING]
//! ```
#![allow(clippy::print_stdout)]

use vardhub_domain::{Encoding, Period};
use vardhub_synth::{NoProgress, SynthOptions, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: synth OUT SCALE SEED FROM TO [DEFECTS] [utf-8|windows-1252]");
        std::process::exit(2);
    }
    let opts = SynthOptions {
        out: args[0].clone().into(),
        scale: args[1].parse().expect("scale"),
        seed: args[2].parse().expect("seed"),
        from: Period::parse(&args[3]).expect("from"),
        to: Period::parse(&args[4]).expect("to"),
        defects: args.get(5).map_or(0.0, |d| d.parse().expect("defects")),
        encoding: match args.get(6).map(String::as_str) {
            Some("windows-1252") => Encoding::Windows1252,
            _ => Encoding::Utf8,
        },
    };
    match generate(&opts, &NoProgress) {
        Ok(s) => {
            let rate = s.rows as f64 / s.seconds;
            println!(
                "deliveries {} rows {} bytes {} people {} seconds {:.2} rows/s {:.0}",
                s.deliveries, s.rows, s.bytes, s.people, s.seconds, rate
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

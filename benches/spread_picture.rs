//! Render time of the spread picture per spread: the reading's faces laid out and rasterised
//! to PNG by `arcana::art::spread_png` (tiny-skia), the work a `/draw` adds before its photo is
//! sent; and building the 78 faces' SVG sprite the Mini App loads.
//!
//! Run: `cargo bench --bench spread_picture`.

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};

use arcana::tarot::{Drawn, Reading, Spread, deck};

/// A reading of `spread` with every other card reversed.
fn reading(spread: Spread) -> Reading {
    let cards = deck()
        .iter()
        .step_by(7)
        .take(spread.card_count())
        .enumerate()
        .map(|(i, card)| Drawn { card, reversed: i % 2 == 1 })
        .collect();
    Reading { spread, question: None, cards }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("spread_picture");
    group.sample_size(20);
    for spread in Spread::ALL {
        let reading = reading(spread);
        if let Ok(png) = arcana::art::spread_png(&reading) {
            eprintln!("{}: {} bytes", spread.key(), png.len());
        }
        group.bench_function(spread.key(), |b| b.iter(|| arcana::art::spread_png(std::hint::black_box(&reading))));
    }
    group.finish();
    c.bench_function("face_svg_all_78", |b| {
        b.iter(|| deck().iter().map(|card| arcana::art::face_svg(card).len()).sum::<usize>());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

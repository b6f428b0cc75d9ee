//! Memory stays constant with the volume: the plan does not grow with it, and streaming many
//! items does not raise the process's peak memory.

use std::io::{self, Write};
use std::process::Command;
use std::time::Instant;

use muninn_exercise::{
    CountingWriter, Generator, Scenario, Stream, demo_scenario, write_mbox_message, write_news_line,
};

/// The demo's signals in a flow of `news` reports (and as many mails and chats).
fn scaled(news: u64) -> Scenario {
    let mut scenario = demo_scenario();
    scenario.volume.news = news;
    scenario.volume.mail = news;
    scenario.volume.chat = news;
    scenario
}

#[test]
fn the_plan_does_not_grow_with_the_volume() {
    let small = Generator::new(&scaled(1_000), 5).expect("valid");
    let started = Instant::now();
    let huge = Generator::new(&scaled(100_000_000), 5).expect("valid");
    assert!(started.elapsed().as_secs() < 5, "planning ignores the volume");
    assert_eq!(small.planned_items(), huge.planned_items());
    let last = huge.news(99_999_999);
    assert!(last.published < huge.scenario().end());
    assert!(last.published > huge.news(50_000_000).published);
    let truth = huge.ground_truth();
    let listed: usize = truth.signals.iter().map(|s| s.items.len()).sum();
    assert_eq!(listed as u64, huge.scenario().signals.iter().map(|s| s.planted_items()).sum::<u64>());
}

const CHILD_ENV: &str = "MUNINN_EXERCISE_MEMORY_CHILD";
const WARM_UP: u64 = 2_000;
const MEASURED: u64 = 30_000;
/// Keeping each streamed item would take tens of megabytes; allocator noise is far below this.
const ALLOWED_GROWTH_KB: u64 = 6 * 1024;

/// Runs in a child process (this test binary, filtered to this test) so that no other test
/// shares the process's peak-memory counter. The child streams news and mail of a flow whose
/// volume is 100 million into a sink, and reports the peak resident size (VmHWM) after a
/// warm-up and after many more items. Keeping anything per item (a cache of generated items, a
/// list of written keys) makes the peak grow with the item count and fails this test.
#[test]
fn streaming_memory_stays_flat() {
    if std::env::var_os(CHILD_ENV).is_some() {
        child();
        return;
    }
    if !cfg!(target_os = "linux") {
        // VmHWM is Linux's; elsewhere only the plan test above applies.
        return;
    }
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "memory::streaming_memory_stays_flat", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    let report = stdout
        .lines()
        .find_map(|line| line.split_once("memory-report ").map(|(_, rest)| rest))
        .expect("child reports");
    let numbers: Vec<u64> = report.split_whitespace().map(|n| n.parse().expect("a number")).collect();
    let [warm, last, items] = numbers[..] else {
        panic!("unexpected report {report}");
    };
    assert_eq!(items, 2 * (WARM_UP + MEASURED));
    assert!(
        last <= warm + ALLOWED_GROWTH_KB,
        "peak memory grew from {warm} kB to {last} kB while streaming {MEASURED} more items of \
         each kind"
    );
}

fn child() {
    let generator = Generator::new(&scaled(100_000_000), 3).expect("valid");
    let mut sink = CountingWriter::new(io::sink());
    let mut items = 0u64;
    let mut stream = |range: std::ops::Range<u64>, sink: &mut CountingWriter<io::Sink>| {
        for index in range {
            write_news_line(&generator.news(index), sink).expect("sink");
            write_mbox_message(&generator.mail(index), sink).expect("sink");
            items += 2;
        }
    };
    stream(0..WARM_UP, &mut sink);
    let warm = peak_kb();
    // Far into the flow, where the plan's planted items are as rare as in any large flow.
    let far = generator.volume(Stream::News) - MEASURED;
    stream(far..far + MEASURED, &mut sink);
    let last = peak_kb();
    assert!(sink.bytes() > 0);
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "\nmemory-report {warm} {last} {items}").expect("stdout");
}

/// VmHWM, the peak resident set size, in kB.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

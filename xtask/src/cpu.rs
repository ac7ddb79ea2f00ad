//! Where the machine's processor time goes during a load: the server's threads by name, the
//! load generator (this process) and what stayed idle, read from Linux's `/proc` between two
//! samples. The soak prints it per send, so a reader sees what one send costs and which part
//! of the server pays for it.

use std::collections::BTreeMap;

/// Linux reports times in `/proc` in clock ticks of 1/100 s (`USER_HZ`) on x86 and ARM, the
/// machines this runs on.
const TICKS_PER_SECOND: f64 = 100.0;

/// The server's long-lived thread names (as the kernel truncates them to 15 bytes) and what
/// they do. The rest is "other": the main thread, and threads that ended between two samples,
/// such as the one each snapshot is encoded on (a process's time keeps theirs).
const GROUPS: [(&str, &str); 3] = [
    ("tokio-rt-worker", "requests"),
    ("wacart-store", "writer"),
    ("wacart-checkpoi", "checkpointer"),
];

/// Processor time, in ticks, at one moment.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sample {
    /// The server's live threads, summed by [`GROUPS`] label.
    groups: BTreeMap<&'static str, u64>,
    /// The whole server process, threads that ended included.
    server: u64,
    /// This process: the load generator (and the soak's own bookkeeping).
    generator: u64,
    /// The machine: every processor's idle time, and its total.
    idle: u64,
    total: u64,
}

/// User + system ticks of a `/proc/.../stat` line, and its command name.
fn parse_stat(line: &str) -> Option<(&str, u64)> {
    // "pid (comm) state ...": the name may hold spaces and parentheses, so split at the last.
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let comm = line.get(open + 1..close)?;
    let mut fields = line.get(close + 1..)?.split_whitespace();
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((comm, utime + stime))
}

fn ticks(path: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| parse_stat(s.trim_end()).map(|(_, t)| t))
}

/// The machine's idle and total ticks from `/proc/stat`'s `cpu` line.
fn machine() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_machine(stat.lines().next()?)
}

fn parse_machine(cpu_line: &str) -> Option<(u64, u64)> {
    let mut fields = cpu_line.split_whitespace();
    (fields.next()? == "cpu").then_some(())?;
    let values: Vec<u64> = fields.map_while(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is counted in user already).
    let total = values.iter().take(8).sum();
    let idle = values.get(3)? + values.get(4).copied().unwrap_or(0);
    Some((idle, total))
}

/// Reads the server's threads (`pid`), this process and the machine.
pub(crate) fn sample(pid: u32) -> Sample {
    let mut s = Sample::default();
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten();
    for task in tasks.flatten() {
        let Ok(line) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        if let Some((comm, t)) = parse_stat(line.trim_end())
            && let Some((_, label)) = GROUPS.iter().find(|(name, _)| *name == comm)
        {
            *s.groups.entry(label).or_default() += t;
        }
    }
    s.server = ticks(&format!("/proc/{pid}/stat")).unwrap_or(0);
    s.generator = ticks("/proc/self/stat").unwrap_or(0);
    (s.idle, s.total) = machine().unwrap_or((0, 0));
    s
}

/// Processor time between two samples, per operation.
pub(crate) struct Spent {
    /// The server, in microseconds per operation, and its parts by [`GROUPS`] label (what is
    /// left is "other").
    pub(crate) server: f64,
    pub(crate) parts: Vec<(&'static str, f64)>,
    pub(crate) generator: f64,
    /// The machine's idle share, in percent.
    pub(crate) idle: f64,
}

impl Spent {
    pub(crate) fn between(before: &Sample, after: &Sample, operations: u64) -> Spent {
        let per_op = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1e6 / operations.max(1) as f64;
        let server_ticks = after.server.saturating_sub(before.server);
        let mut named = 0;
        let mut parts: Vec<(&'static str, f64)> = GROUPS
            .iter()
            .map(|(_, label)| {
                let t = after.groups.get(label).copied().unwrap_or(0);
                // A thread that ended takes its ticks with it: never below zero.
                let d = t.saturating_sub(before.groups.get(label).copied().unwrap_or(0));
                named += d;
                (*label, per_op(d))
            })
            .collect();
        parts.push(("other", per_op(server_ticks.saturating_sub(named))));
        let total = after.total.saturating_sub(before.total);
        Spent {
            server: per_op(server_ticks),
            parts,
            generator: per_op(after.generator.saturating_sub(before.generator)),
            idle: 100.0 * after.idle.saturating_sub(before.idle) as f64 / total.max(1) as f64,
        }
    }

    /// "68.2 µs = requests 40.1 + writer 21.0 + …", the parts that took any time.
    pub(crate) fn split(&self) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .filter(|(_, us)| *us > 0.0)
            .map(|(label, us)| format!("{label} {us:.1}"))
            .collect();
        format!("{:.1} µs = {}", self.server, parts.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_its_user_and_system_ticks() {
        // A name with a space and a parenthesis, as the kernel allows.
        let line = "4242 (odd) name) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 3 0";
        assert_eq!(parse_stat(line), Some(("odd) name", 1290)));
        assert_eq!(parse_stat("4242 (short) S 1"), None);
    }

    #[test]
    fn the_machine_line_counts_iowait_as_idle_and_leaves_guest_time_out() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        let line = "cpu  100 0 50 800 20 5 5 0 70 0";
        assert_eq!(parse_machine(line), Some((820, 980)));
        assert_eq!(parse_machine("intr 1 2 3"), None);
    }

    #[test]
    fn time_is_spread_over_the_operations_and_what_no_group_names_is_other() {
        let before = Sample::default();
        let mut after = Sample {
            server: 300,
            generator: 50,
            idle: 25,
            total: 100,
            ..Sample::default()
        };
        after.groups.insert("requests", 200);
        after.groups.insert("writer", 80);
        // 300 ticks = 3 s of the server over 100,000 operations: 30 µs each.
        let spent = Spent::between(&before, &after, 100_000);
        assert!((spent.server - 30.0).abs() < 1e-9);
        assert!((spent.generator - 5.0).abs() < 1e-9);
        assert!((spent.idle - 25.0).abs() < 1e-9);
        assert_eq!(
            spent.split(),
            "30.0 µs = requests 20.0 + writer 8.0 + other 2.0"
        );
    }

    #[test]
    fn this_process_reads_its_own_threads() {
        let me = sample(std::process::id());
        assert!(me.total > 0 && me.total >= me.idle);
        // The test's own process is both the "server" and the "generator" here, read in that
        // order: time only grows.
        assert!(me.generator >= me.server);
    }
}

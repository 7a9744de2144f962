//! Case packs: a compact copy of what the rollup counters are computed from, 1,024 cases to a
//! row of `hotline_case_packs`, written in the same transaction as the case rows.
//!
//! Why: a full rebuild of the counters from the wide case rows (33 columns, descriptions,
//! addresses) reads every page of the case table — at 25 million cases that took over four
//! minutes. The pack of a case holds only its unit, district, month, category, the timestamps
//! the deadlines are compared on and a few flags (44 bytes), so a rebuild reads about a twentieth
//! of the data and decodes it without SQL. Packs hold the case's stored fields, not its counters:
//! the counters are computed at rebuild time by [`PackedCase::counters`], which follows
//! [`jixiao_hotline::rollup::contribution`] (tested on every lifecycle state).
//!
//! A case's place is its `seq` (stored on the case row): pack `seq / 1024`, slot `seq % 1024`.
//!
//! Layout (little-endian), version 1:
//! `u8 version | u16 string count | (u32 length, UTF-8 bytes)* | u16 case count | case*`,
//! each case `u16 slot, u16 unit, u16 district, u16 month, u16 category, u16 flags,
//! i64 responded, i64 response_due, i64 handled, i64 completion_due` (seconds since the Unix
//! epoch, [`NONE`] when absent; string index [`NO_STRING`] when absent).

use jixiao_hotline::rollup::Counters;
use jixiao_hotline::{Case, Closure, Satisfaction};
use std::collections::{BTreeMap, HashMap};

/// Cases per pack.
pub const PACK_SIZE: i64 = 1024;
const VERSION: u8 = 1;
const NONE: i64 = i64::MIN;
const NO_STRING: u16 = u16::MAX;
const CASE_BYTES: usize = 12 + 32;

const EXCLUDED: u16 = 1;
const RESPONSE_TRACKED: u16 = 1 << 1;
const CALLBACK: u16 = 1 << 2;
const SOLVED: u16 = 1 << 3;
const SATISFIED: u16 = 1 << 4;
const BASICALLY_SATISFIED: u16 = 1 << 5;
const CLOSED_FIXED: u16 = 1 << 6;
const CLOSED_UNFIXED: u16 = 1 << 7;
const REOPENED: u16 = 1 << 8;

/// Pack number and slot of a case's `seq`.
pub fn place(seq: i64) -> (i64, u16) {
    (seq.div_euclid(PACK_SIZE), seq.rem_euclid(PACK_SIZE) as u16)
}

/// The fields of one case that its counters depend on, with its stored month and district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub unit: Option<String>,
    pub district: Option<String>,
    pub month: String,
    pub category: String,
    flags: u16,
    times: [i64; 4],
}

impl CaseFacts {
    pub fn of(case: &Case, month: &str, district: Option<&str>) -> CaseFacts {
        let secs = |d: Option<chrono::DateTime<chrono::Utc>>| d.map_or(NONE, |d| d.timestamp());
        let mut flags = 0;
        let mut set = |on: bool, bit: u16| {
            if on {
                flags |= bit
            }
        };
        set(case.exclusion.is_some(), EXCLUDED);
        set(case.response_tracked, RESPONSE_TRACKED);
        if let Some(cb) = case.callback {
            set(true, CALLBACK);
            set(cb.solved, SOLVED);
            set(cb.satisfaction == Satisfaction::Satisfied, SATISFIED);
            set(
                cb.satisfaction == Satisfaction::BasicallySatisfied,
                BASICALLY_SATISFIED,
            );
        }
        set(case.closure == Some(Closure::Fixed), CLOSED_FIXED);
        set(
            case.closure.is_some_and(|c| c != Closure::Fixed),
            CLOSED_UNFIXED,
        );
        set(case.reopened > 0, REOPENED);
        CaseFacts {
            unit: case.unit.clone(),
            district: district.map(str::to_string),
            month: month.to_string(),
            category: case.category.clone(),
            flags,
            times: [
                secs(case.responded),
                secs(case.response_due),
                secs(case.handled),
                secs(case.completion_due),
            ],
        }
    }

    pub fn counters(&self) -> Counters {
        counters(self.flags, &self.times)
    }
}

/// What one case adds to its unit × month × category counters, as a bit per counter in the
/// order of `Counters::FIELDS` (each counter gets 0 or 1 from a case); the same rules as
/// `contribution`, on the packed fields. Bits rather than a `Counters` so that summing millions
/// of cases is a loop without branches.
pub fn contribution_bits(flags: u16, times: &[i64; 4]) -> u16 {
    let [responded, response_due, handled, completion_due] = *times;
    let on = |bit: u16| flags & bit != 0;
    let mut bits = 0u16;
    let mut set = |field: usize, v: bool| bits |= (v as u16) << field;
    // Field indices of Counters::FIELDS.
    set(13, on(REOPENED));
    if on(EXCLUDED) {
        set(1, true);
        return bits;
    }
    set(0, true);
    let tracked = on(RESPONSE_TRACKED);
    set(2, tracked);
    let responded_at = tracked && responded != NONE;
    set(3, responded_at);
    set(
        4,
        responded_at && (response_due == NONE || responded <= response_due),
    );
    set(5, handled != NONE);
    set(
        6,
        handled != NONE && (completion_due == NONE || handled <= completion_due),
    );
    let callback = on(CALLBACK);
    set(7, callback);
    set(8, callback && on(SOLVED));
    set(9, callback && on(SATISFIED));
    set(10, callback && on(BASICALLY_SATISFIED));
    set(11, on(CLOSED_FIXED));
    set(12, on(CLOSED_UNFIXED));
    bits
}

fn counters(flags: u16, times: &[i64; 4]) -> Counters {
    let bits = contribution_bits(flags, times);
    Counters::from_array(std::array::from_fn(|i| ((bits >> i) & 1) as i64))
}

/// One pack, decoded for changing: cases by slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pack {
    pub cases: BTreeMap<u16, CaseFacts>,
}

/// A pack that cannot be read: the data is damaged or of an unknown version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPack(pub String);

impl std::fmt::Display for BadPack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "damaged case pack: {}", self.0)
    }
}

impl Pack {
    pub fn encode(&self) -> Vec<u8> {
        fn intern<'a>(
            strings: &mut Vec<&'a str>,
            index: &mut HashMap<&'a str, u16>,
            s: Option<&'a str>,
        ) -> u16 {
            let Some(s) = s else { return NO_STRING };
            *index.entry(s).or_insert_with(|| {
                strings.push(s);
                (strings.len() - 1) as u16
            })
        }
        let mut strings: Vec<&str> = Vec::new();
        let mut index: HashMap<&str, u16> = HashMap::new();
        let mut body = Vec::with_capacity(self.cases.len() * CASE_BYTES);
        for (slot, f) in &self.cases {
            let (strings, index) = (&mut strings, &mut index);
            let indices = [
                intern(strings, index, f.unit.as_deref()),
                intern(strings, index, f.district.as_deref()),
                intern(strings, index, Some(&f.month)),
                intern(strings, index, Some(&f.category)),
            ];
            body.extend_from_slice(&record(*slot, indices, f));
        }
        let mut out = vec![VERSION];
        out.extend_from_slice(&(strings.len() as u16).to_le_bytes());
        for s in &strings {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&(self.cases.len() as u16).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// `data` (an encoded pack) with `facts` in `slot`, rewritten in place of the slot's
    /// record or appended after the last one, without decoding the other cases: what one case
    /// event needs, a twentieth of a decode and an encode. `None` when the pack cannot be
    /// patched so (a string it does not hold yet, a slot before the last that is not in it, a
    /// damaged pack): decode and encode it then.
    pub fn patch(data: &[u8], slot: u16, facts: &CaseFacts) -> Option<Vec<u8>> {
        let u16_at = |i: usize| Some(u16::from_le_bytes([*data.get(i)?, *data.get(i + 1)?]));
        if *data.first()? != VERSION {
            return None;
        }
        let n = u16_at(1)? as usize;
        let mut at = 3;
        let mut find: [Option<u16>; 4] = [None; 4];
        let wanted = [
            facts.unit.as_deref(),
            facts.district.as_deref(),
            Some(facts.month.as_str()),
            Some(facts.category.as_str()),
        ];
        for i in 0..n {
            let len = u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize;
            let s = data.get(at + 4..at + 4 + len)?;
            for (k, w) in wanted.iter().enumerate() {
                if find[k].is_none() && w.is_some_and(|w| w.as_bytes() == s) {
                    find[k] = Some(i as u16);
                }
            }
            at += 4 + len;
        }
        let mut indices = [NO_STRING; 4];
        for k in 0..4 {
            indices[k] = match (wanted[k], find[k]) {
                (None, _) => NO_STRING,
                (Some(_), Some(i)) => i,
                (Some(_), None) => return None,
            };
        }
        let count_at = at;
        let count = u16_at(count_at)? as usize;
        let body = count_at + 2;
        if data.len() != body + count * CASE_BYTES {
            return None;
        }
        let slot_of = |k: usize| u16_at(body + k * CASE_BYTES);
        // Records are in slot order: find the slot, or append past the last.
        let (mut lo, mut hi) = (0usize, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if slot_of(mid)? < slot {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let bytes = record(slot, indices, facts);
        let mut out = data.to_vec();
        if lo < count && slot_of(lo)? == slot {
            let start = body + lo * CASE_BYTES;
            out[start..start + CASE_BYTES].copy_from_slice(&bytes);
        } else if lo == count && count < u16::MAX as usize {
            out[count_at..count_at + 2].copy_from_slice(&((count + 1) as u16).to_le_bytes());
            out.extend_from_slice(&bytes);
        } else {
            return None;
        }
        Some(out)
    }

    /// The number of cases an encoded pack holds (none when it is damaged).
    pub fn count(data: &[u8]) -> Option<usize> {
        let mut at = 3;
        let n = u16::from_le_bytes([*data.get(1)?, *data.get(2)?]) as usize;
        for _ in 0..n {
            at += 4 + u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize;
        }
        Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]) as usize)
    }

    pub fn decode(data: &[u8]) -> Result<Pack, BadPack> {
        let mut cases = BTreeMap::new();
        scan(data, |strings, raw| {
            let s = |i: u16| strings.get(i as usize).map(|s| s.to_string());
            cases.insert(
                raw.slot,
                CaseFacts {
                    unit: s(raw.unit),
                    district: s(raw.district),
                    month: s(raw.month).unwrap_or_default(),
                    category: s(raw.category).unwrap_or_default(),
                    flags: raw.flags,
                    times: raw.times,
                },
            );
        })?;
        Ok(Pack { cases })
    }
}

/// A case's record: slot, its four string indices, flags, times.
fn record(slot: u16, indices: [u16; 4], f: &CaseFacts) -> [u8; CASE_BYTES] {
    let mut out = [0u8; CASE_BYTES];
    let fields = [
        slot, indices[0], indices[1], indices[2], indices[3], f.flags,
    ];
    for (i, x) in fields.iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&x.to_le_bytes());
    }
    for (i, x) in f.times.iter().enumerate() {
        out[12 + 8 * i..20 + 8 * i].copy_from_slice(&x.to_le_bytes());
    }
    out
}

/// One case as read from a pack, its strings as indices into the pack's string table.
#[derive(Debug, Clone, Copy)]
pub struct RawCase {
    pub slot: u16,
    pub unit: u16,
    pub district: u16,
    pub month: u16,
    pub category: u16,
    flags: u16,
    times: [i64; 4],
}

impl RawCase {
    pub fn counters(&self) -> Counters {
        counters(self.flags, &self.times)
    }
    pub fn contribution_bits(&self) -> u16 {
        contribution_bits(self.flags, &self.times)
    }
    pub fn has_unit(&self) -> bool {
        self.unit != NO_STRING
    }
}

/// Calls `f` with the pack's string table and each of its cases, without allocating per case.
pub fn scan(data: &[u8], mut f: impl FnMut(&[&str], RawCase)) -> Result<(), BadPack> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Result<&[u8], BadPack> {
        let s = data
            .get(at..at + n)
            .ok_or_else(|| BadPack(format!("ends at byte {at}, {n} more expected")))?;
        at += n;
        Ok(s)
    };
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    let version = take(1)?[0];
    if version != VERSION {
        return Err(BadPack(format!("version {version}")));
    }
    let n = u16_at(take(2)?, 0) as usize;
    let mut strings = Vec::with_capacity(n);
    for _ in 0..n {
        let len = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
        let s = std::str::from_utf8(take(len)?).map_err(|e| BadPack(e.to_string()))?;
        strings.push(s);
    }
    let count = u16_at(take(2)?, 0) as usize;
    let body = take(count * CASE_BYTES)?;
    for b in body.chunks_exact(CASE_BYTES) {
        let i64_at = |i: usize| i64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        f(
            &strings,
            RawCase {
                slot: u16_at(b, 0),
                unit: u16_at(b, 2),
                district: u16_at(b, 4),
                month: u16_at(b, 6),
                category: u16_at(b, 8),
                flags: u16_at(b, 10),
                times: [i64_at(12), i64_at(20), i64_at(28), i64_at(36)],
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_hotline::geography::beijing;
    use jixiao_hotline::rollup::contribution;
    use jixiao_hotline::{generate::Generator, HotlineConfig};

    #[test]
    fn packed_counters_equal_the_contribution_of_every_generated_case() {
        let cfg = HotlineConfig::default();
        let geo = beijing(2, 2);
        let mut pack = Pack::default();
        let mut expected = Vec::new();
        for (i, case) in Generator::new(&cfg, &geo, 5000, 3, 2020).enumerate() {
            let month = cfg.month_of(case.received);
            let facts = CaseFacts::of(&case, &month, Some("dongcheng"));
            match contribution(&case, &cfg) {
                Some((k, c)) => {
                    assert_eq!(facts.counters(), c, "{}", case.id);
                    assert_eq!((k.month, k.category), (month, case.category.clone()));
                }
                None => assert!(case.unit.is_none()),
            }
            if i < PACK_SIZE as usize {
                expected.push(facts.clone());
                pack.cases.insert(i as u16, facts);
            }
        }
        let data = pack.encode();
        let back = Pack::decode(&data).unwrap();
        assert_eq!(back, pack);
        assert_eq!(back.cases.values().cloned().collect::<Vec<_>>(), expected);
        let mut n = 0;
        scan(&data, |strings, raw| {
            let f = &pack.cases[&raw.slot];
            assert_eq!(raw.counters(), f.counters());
            assert_eq!(Some(strings[raw.month as usize]), Some(f.month.as_str()));
            n += 1;
        })
        .unwrap();
        assert_eq!(n, PACK_SIZE);
    }

    #[test]
    fn a_patched_pack_reads_as_the_pack_with_the_case_put_in() {
        let cfg = HotlineConfig::default();
        let cases: Vec<_> = Generator::new(&cfg, &beijing(2, 2), 300, 5, 2020).collect();
        let facts = |i: usize| {
            let c = &cases[i];
            CaseFacts::of(c, &cfg.month_of(c.received), Some("dongcheng"))
        };
        let mut pack = Pack::default();
        for i in (0..200).step_by(2) {
            pack.cases.insert(i as u16, facts(i));
        }
        let data = pack.encode();
        assert_eq!(Pack::count(&data), Some(100));
        // Every case again in its slot (same strings), and a case after the last: patched.
        for (slot, i) in [(0u16, 1usize), (100, 3), (198, 5), (250, 0)] {
            let mut f = facts(i);
            f.unit = pack.cases[&0].unit.clone();
            f.district = pack.cases[&0].district.clone();
            f.month = pack.cases[&0].month.clone();
            f.category = pack.cases[&0].category.clone();
            let patched = Pack::patch(&data, slot, &f).expect("patched in place");
            let mut expected = pack.clone();
            expected.cases.insert(slot, f);
            assert_eq!(Pack::decode(&patched).unwrap(), expected, "slot {slot}");
            assert_eq!(Pack::count(&patched), Some(expected.cases.len()));
        }
        // A string the pack does not hold, or a new slot before the last: not patched.
        let mut f = facts(1);
        f.category = "某个新类别".into();
        assert!(Pack::patch(&data, 0, &f).is_none());
        let same = pack.cases[&0].clone();
        assert!(Pack::patch(&data, 1, &same).is_none());
        // A unit that is absent stays absent.
        let mut none = same.clone();
        none.unit = None;
        let patched = Pack::patch(&data, 2, &none).unwrap();
        assert_eq!(Pack::decode(&patched).unwrap().cases[&2].unit, None);
        for cut in 0..data.len() {
            let _ = Pack::patch(&data[..cut], 0, &same);
        }
    }

    #[test]
    fn a_damaged_pack_is_an_error_not_a_panic() {
        let mut pack = Pack::default();
        let case = Generator::new(&HotlineConfig::default(), &beijing(1, 1), 1, 1, 2020)
            .next()
            .unwrap();
        pack.cases.insert(7, CaseFacts::of(&case, "2020-01", None));
        let data = pack.encode();
        for cut in 0..data.len() {
            assert!(Pack::decode(&data[..cut]).is_err(), "cut at {cut}");
        }
        let mut other = data.clone();
        other[0] = 9;
        assert_eq!(
            Pack::decode(&other).unwrap_err(),
            BadPack("version 9".into())
        );
        assert_eq!(place(1025), (1, 1));
    }
}

//! Scoring models for the backlog: the default rule, RICE, ICE, WSJF, or a formula the team
//! writes over named factors, evaluated by minijinja's expression engine (sandboxed: no
//! names but the factors, bounded work).
//!
//! Invariants: every model's factors come from the map and its figures by one stated rule
//! each, and every output prints the model's formula beside each solution's factors, so a
//! reader can recompute any score.

use serde::Serialize;

/// The factors a score may use, by name.
pub const FACTORS: &[&str] = &[
    "severity",
    "impact",
    "effort",
    "ease",
    "reach",
    "confidence",
];

/// Confidence from the evidence behind the pain points a solution addresses.
pub const CONFIDENCE_MEASURED: f64 = 1.0;
pub const CONFIDENCE_WRITTEN: f64 = 0.8;
pub const CONFIDENCE_NONE: f64 = 0.5;

/// One open solution's factors.
#[derive(Debug, Clone, Serialize)]
pub struct Factors {
    /// Sum of the severity weights of the pain points addressed (evidence-weighted when the
    /// map asks).
    pub severity: f64,
    pub impact: u32,
    pub effort: u32,
    /// 4 − effort: 3 for small, 1 for large.
    pub ease: u32,
    /// People who reach the solution's stage: its measured reach, else its `funnel:`, else
    /// the most answers behind one of its survey figures, else 1.
    pub reach: f64,
    /// Where `reach` came from: `measured`, `funnel`, `survey n`, `unknown`.
    pub reach_from: &'static str,
    pub confidence: f64,
    /// `measured` (a survey figure or theme share on a pain point's stage), `written` (a
    /// pain point's `evidence:`), `none`.
    pub confidence_from: &'static str,
}

/// How the backlog is scored.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Default,
    Rice,
    Ice,
    Wsjf,
    Formula(String),
}

/// Read `backlog.score`: a model's name or a formula over [`FACTORS`]; the error names the
/// unknown factor (with the nearest) or why the formula cannot be read.
pub fn model(spec: &str) -> Result<Model, String> {
    match spec.trim().to_ascii_lowercase().as_str() {
        "" | "default" => return Ok(Model::Default),
        "rice" => return Ok(Model::Rice),
        "ice" => return Ok(Model::Ice),
        "wsjf" => return Ok(Model::Wsjf),
        _ => {}
    }
    let env = engine();
    let expr = env.compile_expression(spec).map_err(|e| {
        format!(
            "`{spec}` cannot be read as a formula: {}",
            e.detail().unwrap_or("syntax")
        )
    })?;
    let mut unknown: Vec<String> = expr
        .undeclared_variables(false)
        .into_iter()
        .filter(|n| !FACTORS.contains(&n.as_str()))
        .collect();
    unknown.sort();
    if let Some(name) = unknown.first() {
        let hint = crate::suggest::did_you_mean(name, FACTORS.iter().copied());
        return Err(format!(
            "`{name}` is not a factor a score can use; use rice, ice, wsjf, or a formula over {}{hint}",
            FACTORS.join(", ")
        ));
    }
    Ok(Model::Formula(spec.trim().to_owned()))
}

/// The model a map's `backlog.score` names, read once (validation refused one that cannot
/// be read); the default without one.
pub fn of_map(j: &crate::model::Journey) -> Model {
    j.backlog
        .as_ref()
        .and_then(|b| b.score.as_ref())
        .and_then(|s| model(&s.value).ok())
        .unwrap_or(Model::Default)
}

fn engine() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_fuel(Some(10_000));
    env
}

/// A solution's score under `model`; a formula that gives no number gives none.
pub fn score(model: &Model, f: &Factors) -> Option<f64> {
    let (sev, imp, eff, ease) = (
        f.severity,
        f64::from(f.impact),
        f64::from(f.effort),
        f64::from(f.ease),
    );
    let x = match model {
        Model::Default => sev * imp / eff,
        Model::Rice => f.reach * imp * f.confidence / eff,
        Model::Ice => imp * f.confidence * ease,
        Model::Wsjf => (sev + imp) / eff,
        Model::Formula(src) => {
            let env = engine();
            let expr = env.compile_expression(src).ok()?;
            let v = expr
                .eval(minijinja::context! {
                    severity => sev, impact => imp, effort => eff, ease => ease,
                    reach => f.reach, confidence => f.confidence,
                })
                .ok()?;
            f64::try_from(v).ok()?
        }
    };
    x.is_finite().then_some(x)
}

/// The formula printed with a backlog scored by `model` (the default's is the backlog's own).
pub fn formula(model: &Model) -> Option<String> {
    let factors = "severity = the sum of the severity weights of the pain points addressed (low 1, medium 2, high 3, critical 5); impact low 1, medium 2, high 3 (absent 2); effort small 1, medium 2, large 3 (absent 2); ease = 4 − effort; reach = the stage's measured reach, else its funnel count, else the most answers behind one of its survey figures, else 1; confidence 1 when a pain point's stage has a survey figure or theme share, 0.8 when a pain point has written evidence, else 0.5";
    let rule = match model {
        Model::Default => return None,
        Model::Rice => "score = RICE = reach × impact × confidence ÷ effort".to_owned(),
        Model::Ice => "score = ICE = impact × confidence × ease".to_owned(),
        Model::Wsjf => "score = WSJF = (severity + impact) ÷ effort".to_owned(),
        Model::Formula(src) => format!("score = {src}"),
    };
    Some(format!("{rule}; {factors}; ties by id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Factors {
        Factors {
            severity: 5.0,
            impact: 3,
            effort: 2,
            ease: 2,
            reach: 1000.0,
            reach_from: "measured",
            confidence: 0.8,
            confidence_from: "written",
        }
    }

    #[test]
    fn each_model_is_its_stated_formula() {
        // By hand: default 5 × 3 ÷ 2 = 7.5; RICE 1000 × 3 × 0.8 ÷ 2 = 1200; ICE 3 × 0.8 × 2
        // = 4.8; WSJF (5 + 3) ÷ 2 = 4; the formula reach ÷ 100 + severity = 15.
        assert_eq!(score(&Model::Default, &f()), Some(7.5));
        assert_eq!(score(&Model::Rice, &f()), Some(1200.0));
        assert!((score(&Model::Ice, &f()).unwrap() - 4.8).abs() < 1e-12);
        assert_eq!(score(&Model::Wsjf, &f()), Some(4.0));
        let m = model("reach / 100 + severity").unwrap();
        assert_eq!(score(&m, &f()), Some(15.0));
    }

    #[test]
    fn a_formula_names_only_factors() {
        let e = model("reach * impcat").unwrap_err();
        assert!(
            e.contains("`impcat` is not a factor") && e.contains("did you mean `impact`?"),
            "{e}"
        );
        assert!(
            model("reach *")
                .unwrap_err()
                .contains("cannot be read as a formula")
        );
        assert_eq!(model("RICE"), Ok(Model::Rice));
        // A formula that divides by zero gives no score rather than infinity.
        assert_eq!(score(&model("reach / 0").unwrap(), &f()), None);
    }
}

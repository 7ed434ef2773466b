use yew::prelude::*;

use super::{select_field, SelectFieldProps};

#[derive(Properties, PartialEq)]
pub struct LocationFieldsProps {
    /// "Lokasi Kejadian" or "Asal Pelapor".
    pub legend: AttrValue,
    pub province_label: AttrValue,
    pub regency_label: AttrValue,
    pub district_label: AttrValue,
    pub optional: AttrValue,
    pub choose: AttrValue,
    pub choose_province_first: AttrValue,
    pub choose_regency_first: AttrValue,
    pub province: AttrValue,
    pub regency: AttrValue,
    pub district: AttrValue,
    pub provinces: Vec<(AttrValue, AttrValue)>,
    pub regencies: Vec<(AttrValue, AttrValue)>,
    pub districts: Vec<(AttrValue, AttrValue)>,
    /// Why a list is empty, if it is loading or failed.
    #[prop_or_default]
    pub province_note: Option<AttrValue>,
    #[prop_or_default]
    pub regency_note: Option<AttrValue>,
    #[prop_or_default]
    pub district_note: Option<AttrValue>,
    #[prop_or_default]
    pub province_errors: Vec<AttrValue>,
    #[prop_or_default]
    pub regency_errors: Vec<AttrValue>,
    pub onprovince: Callback<String>,
    pub onregency: Callback<String>,
    pub ondistrict: Callback<String>,
}

/// The location as three cascading selects in one group.
pub fn location_fields(props: &LocationFieldsProps) -> Html {
    let regency_placeholder = if props.province.is_empty() {
        props.choose_province_first.clone()
    } else {
        props.choose.clone()
    };
    let district_placeholder = if props.regency.is_empty() {
        props.choose_regency_first.clone()
    } else {
        props.choose.clone()
    };
    html! {
        <fieldset class="lapor-fieldset">
            <legend class="lapor-legend">{ props.legend.clone() }</legend>
            { select_field(&yew::props!(SelectFieldProps { id: "lapor-province", label: props.province_label.clone(), value: props.province.clone(), placeholder: props.choose.clone(), options: props.provinces.clone(), hint: props.province_note.clone(), errors: props.province_errors.clone(), onchange: props.onprovince.clone() })) }
            { select_field(&yew::props!(SelectFieldProps { id: "lapor-regency", label: props.regency_label.clone(), value: props.regency.clone(), placeholder: regency_placeholder, options: props.regencies.clone(), hint: props.regency_note.clone(), errors: props.regency_errors.clone(), onchange: props.onregency.clone() })) }
            { select_field(&yew::props!(SelectFieldProps { id: "lapor-district", label: props.district_label.clone(), optional: props.optional.clone(), value: props.district.clone(), placeholder: district_placeholder, options: props.districts.clone(), hint: props.district_note.clone(), onchange: props.ondistrict.clone() })) }
        </fieldset>
    }
}

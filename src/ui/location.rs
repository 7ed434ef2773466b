use yew::prelude::*;

use super::{select_field, SelectFieldProps};
use crate::form::view::Messages;
use crate::form::Input;

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
    pub province_note: Option<AttrValue>,
    pub regency_note: Option<AttrValue>,
    pub district_note: Option<AttrValue>,
    pub province_messages: Messages,
    pub regency_messages: Messages,
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
            { select_field(&SelectFieldProps { id: Input::Province.dom_id().into(), label: props.province_label.clone(), optional: None, value: props.province.clone(), placeholder: props.choose.clone(), options: props.provinces.clone(), hint: props.province_note.clone(), messages: props.province_messages.clone(), onchange: props.onprovince.clone() }) }
            { select_field(&SelectFieldProps { id: Input::Regency.dom_id().into(), label: props.regency_label.clone(), optional: None, value: props.regency.clone(), placeholder: regency_placeholder.into(), options: props.regencies.clone(), hint: props.regency_note.clone(), messages: props.regency_messages.clone(), onchange: props.onregency.clone() }) }
            { select_field(&SelectFieldProps { id: Input::District.dom_id().into(), label: props.district_label.clone(), optional: Some(props.optional.clone()), value: props.district.clone(), placeholder: district_placeholder.into(), options: props.districts.clone(), hint: props.district_note.clone(), messages: Messages::default(), onchange: props.ondistrict.clone() }) }
        </fieldset>
    }
}

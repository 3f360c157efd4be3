"""From the review page the office reaches every other task of its consultation: routing, responses, digests."""
import re


def test_review_page_links_to_routing_responses_and_statistics(app, client, clock, office, upload_seed):
    consultation_id = upload_seed("003")
    page = client.get(f"/office/consultations/{consultation_id}").get_data(as_text=True)
    links = dict(re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page))
    assert f"/office/consultations/{consultation_id}/routing" in links
    assert f"/office/consultations/{consultation_id}/responses" in links
    for url in (f"/office/consultations/{consultation_id}/routing", f"/office/consultations/{consultation_id}/responses"):
        assert client.get(url).status_code == 200, url
    responses_page = client.get(f"/office/consultations/{consultation_id}/responses").get_data(as_text=True)
    assert f"/office/consultations/{consultation_id}/digest.xlsx" in responses_page

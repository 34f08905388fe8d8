"""Proposals: conventions, micro-projects and motions, their versions, amendments, seconds, public notice and decisions. Above compounds and meetings; voting links polls to them."""

"""Light reporters (text, markdown) over ``Result.to_dict()``; the PDF lives in riskcheck.report."""

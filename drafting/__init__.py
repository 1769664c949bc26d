"""drafting: 群众评议工作总结起草与意见归类 (work summaries and rectification lists for public appraisals)."""

__version__ = "0.1.0"

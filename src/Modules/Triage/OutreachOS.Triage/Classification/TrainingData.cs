namespace OutreachOS.Triage.Classification;

/// <summary>
/// The training data of <see cref="NaiveBayesModel"/>, compiled into the assembly so the model is trained in memory at start-up
/// with no file access: verbatim copies of <c>labelled/inbound-labelled.jsonl</c> and <c>labelled/inbound-holdout.jsonl</c>
/// (a test fails when a copy drifts from its file; docs/triage-classifier.md has the command that regenerates this file).
/// <c>inbound-holdout-2.jsonl</c> is deliberately NOT here: it is the untouched test set.
/// </summary>
internal static class TrainingData
{
    public const string LabelledJsonl = """"
{"id": "L001", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Quick intro", "text": "Hi Dana,\n\nThanks for the note. Could we set up a call next week? Tuesday or Wednesday afternoon works for me.\n\nBest,\nMarco"}
{"id": "L002", "intent": "scheduling", "urgency": "high", "is_reply": false, "subject": "Need to reschedule tomorrow's demo", "text": "Hi, something came up and I need to reschedule our demo tomorrow at 10am. Can we move it to Thursday? Sorry for the short notice."}
{"id": "L003", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Meeting request", "text": "Hello, I'd like to book a meeting with your team to walk through the onboarding plan. What does your availability look like in the first week of December?"}
{"id": "L004", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Follow-up", "text": "Sure, let's find a time. I'm free on Friday between 2 and 4 pm CET. Send me an invite."}
{"id": "L005", "intent": "scheduling", "urgency": "low", "is_reply": false, "subject": "Catching up in January", "text": "No rush at all, but it would be nice to catch up in January once things calm down. Maybe a 30 minutes call? Let me know what works."}
{"id": "L006", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Your demo request", "text": "Thanks - does Tuesday at 3pm EST work? If not, Wednesday morning is open on my calendar."}
{"id": "L007", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Can we push our Thursday sync?", "text": "Hey team, can we push our Thursday sync by an hour? I have a conflict at 11."}
{"id": "L008", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Platform walkthrough", "text": "Happy to grab 15 minutes. Here's my Calendly: calendly.com/jwong/15min — pick any slot that suits you."}
{"id": "L009", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Termin für Produktdemo", "text": "Guten Tag, wir würden gerne einen Termin für eine Produktdemo vereinbaren. Passt Ihnen nächste Woche Dienstag?"}
{"id": "L010", "intent": "scheduling", "urgency": "high", "is_reply": false, "subject": "Cancel our meeting today", "text": "Please cancel our meeting today at 4, I'm out sick. I'll reach out to reschedule later this week."}
{"id": "L011", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Next steps", "text": "Let's meet on Zoom. Monday 9:30 am PST works for me and my CTO. Please send a calendar invite to both of us."}
{"id": "L012", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Availability for a kickoff", "text": "We signed last week and want to schedule the kickoff. Are you available on the 12th or 13th? We need about an hour."}
{"id": "L013", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Invitation", "text": "Thursday doesn't work anymore unfortunately. Could we do the same time slot on Friday instead?"}
{"id": "L014", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Quick call?", "text": "Hi! Would you have time for a quick call this week to discuss the rollout timeline? Any afternoon is fine."}
{"id": "L015", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Booking", "text": "I tried to book a time through the link but all the slots next week are taken. Could you offer something else?"}
{"id": "L016", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Pricing for 50 seats", "text": "Hi, we're evaluating tools for our sales team of about 50 people. What would the pricing look like per seat on an annual plan?"}
{"id": "L017", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Intro", "text": "Thanks for reaching out. Before we talk, can you send me your price list? I need to know if this fits our budget."}
{"id": "L018", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Quote request", "text": "Could you send us a quote for the Enterprise plan with SSO, 120 users, billed annually?"}
{"id": "L019", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "How much does it cost?", "text": "How much does your product cost for a small agency? We are 6 people."}
{"id": "L020", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Nonprofit discount?", "text": "We are a registered nonprofit. Do you offer a discount on your plans?"}
{"id": "L021", "intent": "pricing", "urgency": "high", "is_reply": false, "subject": "Need pricing by Friday - budget deadline", "text": "Our budget deadline is Friday. Please send a proposal with pricing for 200 seats as soon as possible."}
{"id": "L022", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Following up", "text": "Interesting. What are the costs for the API add-on? And is there a volume discount above 1M calls?"}
{"id": "L023", "intent": "pricing", "urgency": "low", "is_reply": false, "subject": "Pricing for next year", "text": "No hurry - we're planning next year's budget. Could you share your pricing tiers when you have a moment?"}
{"id": "L024", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Preise für Teams", "text": "Hallo, können Sie mir Ihre Preise für ein Team mit 15 Nutzern schicken? Gibt es eine monatliche Zahlung?"}
{"id": "L025", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Is the Pro plan cheaper annually?", "text": "If we pay annually for the Pro plan, how much cheaper is it compared to monthly?"}
{"id": "L026", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Quick question", "text": "What would it cost to add 10 more seats to our current plan mid-year?"}
{"id": "L027", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Cost comparison", "text": "We're comparing you with two other vendors. Can you break down the fees: platform fee, per user cost, onboarding?"}
{"id": "L028", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Enterprise pricing", "text": "Do you have enterprise pricing for multiple business units? We'd need separate workspaces."}
{"id": "L029", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Price for a pilot", "text": "What's the price for a 3-month pilot with 20 users? We'd like to start small."}
{"id": "L030", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Proposal", "text": "The proposal looks good but the per user price is above what we budgeted. Any flexibility on the rates?"}
{"id": "L031", "intent": "support", "urgency": "high", "is_reply": false, "subject": "Can't log in", "text": "Hi, I can't log in since this morning. It says 'invalid token' even after resetting my password. Please help, I have a client presentation."}
{"id": "L032", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "API returns 500 on /contacts", "text": "When we call the contacts API with a filter, we get a 500 error. Request id 8f2c-11. Is this a known bug?"}
{"id": "L033", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "How do I export my data?", "text": "How do I export all my campaigns to CSV? I couldn't find it in the documentation."}
{"id": "L034", "intent": "support", "urgency": "critical", "is_reply": false, "subject": "Production down - all users affected", "text": "Our whole workspace is down for all users since 09:10. Nothing loads. This is an outage for us, please treat as emergency."}
{"id": "L035", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Webhook not firing", "text": "We configured the webhook for new replies but it's not working. The test button shows success but our endpoint never receives anything."}
{"id": "L036", "intent": "support", "urgency": "normal", "is_reply": true, "subject": "Re: Ticket #4471", "text": "Thanks, the fix worked for the import, but now the sync with Salesforce fails with a timeout. Same workspace."}
{"id": "L037", "intent": "support", "urgency": "low", "is_reply": false, "subject": "Small UI glitch", "text": "FYI, the settings page shows the wrong timezone label. Not urgent, just wanted you to know."}
{"id": "L038", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "SSO setup with Okta", "text": "We're trying to configure SSO with Okta and get 'audience mismatch'. Which value should go in the SAML audience field?"}
{"id": "L039", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Upload keeps failing", "text": "Uploading a 20 MB CSV fails at 90% every time. Tried Chrome and Firefox. Is there a size limit?"}
{"id": "L040", "intent": "support", "urgency": "high", "is_reply": false, "subject": "2FA codes not arriving", "text": "None of my team receive 2FA codes by SMS today. We're locked out. Urgent please."}
{"id": "L041", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Integration with HubSpot stuck", "text": "The HubSpot integration has been stuck on 'syncing' for two days. How can I troubleshoot this?"}
{"id": "L042", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Question about setup", "text": "How can I add a second sending domain? The setup wizard only asks for one."}
{"id": "L043", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "App crashes on iOS", "text": "The iOS app crashes when I open a conversation with attachments. iPhone 14, latest version."}
{"id": "L044", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Data missing after migration", "text": "After the migration last night some contact notes are missing. Can you check? Workspace: acme-eu."}
{"id": "L045", "intent": "support", "urgency": "normal", "is_reply": true, "subject": "Re: Your support request", "text": "It still doesn't work. I cleared the cache as suggested but the dashboard keeps loading forever."}
{"id": "L046", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Invoice for October", "text": "Hi, could you send me the invoice for October? Our accounts payable team needs it with our VAT number on it."}
{"id": "L047", "intent": "billing", "urgency": "high", "is_reply": false, "subject": "Double charged this month", "text": "We were double charged this month - two identical payments on the same day. Please refund one of them."}
{"id": "L048", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Update billing address", "text": "We moved offices. Please update our billing address to 22 King Street, London, for future invoices."}
{"id": "L049", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Payment failed", "text": "I got an email saying the payment failed. I updated the card on file - can you retry the charge?"}
{"id": "L050", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Cancel my subscription", "text": "Please cancel my subscription at the end of the current billing period. We're consolidating tools."}
{"id": "L051", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Receipt needed", "text": "Where can I download receipts for the last three months? Need them for expenses."}
{"id": "L052", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "PO number on invoices", "text": "Our finance team requires a purchase order number on every invoice. Can you add PO-88213 going forward?"}
{"id": "L053", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Question about proration", "text": "We added 5 seats mid-cycle and the charge looks higher than expected. How does proration work on your side?"}
{"id": "L054", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Rechnung fehlt", "text": "Hallo, uns fehlt die Rechnung für September. Können Sie sie bitte erneut senden?"}
{"id": "L055", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Renewal date", "text": "When is our renewal date? We want to downgrade to the Starter plan before we're charged again."}
{"id": "L056", "intent": "billing", "urgency": "high", "is_reply": false, "subject": "Overdue notice in error", "text": "We received an overdue notice but we paid by bank transfer on the 3rd. Please check and stop the reminders, it's escalated internally."}
{"id": "L057", "intent": "billing", "urgency": "normal", "is_reply": true, "subject": "Re: Your invoice INV-2231", "text": "The invoice shows the wrong company name. It should be Northwind GmbH, not Northwind Ltd. Can you reissue it?"}
{"id": "L058", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "VAT exemption", "text": "We are VAT registered in Ireland. Please apply reverse charge and remove VAT from our invoices."}
{"id": "L059", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Refund request", "text": "I was charged for the annual plan but I meant to choose monthly. Could I get a refund and be billed monthly instead?"}
{"id": "L060", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Switch to invoice payment", "text": "Can we switch from credit card to paying by invoice and bank transfer? Our accounts payable prefers that."}
{"id": "L061", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Partnership opportunity", "text": "Hi, I run a RevOps consultancy and we implement sales tools for mid-market clients. Do you have a partner program or reseller terms?"}
{"id": "L062", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Referral", "text": "I referred two of our clients to you last month. Is there a referral commission program?"}
{"id": "L063", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Integration partnership", "text": "We build a CRM for dental clinics and would love to explore an integration partnership. Mutual customers have been asking."}
{"id": "L064", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Affiliate program?", "text": "Do you run an affiliate program? I write a newsletter for SDRs with 20k readers."}
{"id": "L065", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "White label", "text": "Would you consider a white label version for our agency? We'd resell it under our brand to our clients."}
{"id": "L066", "intent": "referral_partner", "urgency": "normal", "is_reply": true, "subject": "Re: Intro", "text": "Happy to introduce you to the head of sales at Contoso - they're looking for exactly this. Mind if I cc them?"}
{"id": "L067", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Co-marketing idea", "text": "We have a similar audience. Interested in a co-marketing webinar? We could collaborate on the content."}
{"id": "L068", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Marketplace listing", "text": "We'd like to list your app in our integration marketplace. Who handles partnerships on your side?"}
{"id": "L069", "intent": "referral_partner", "urgency": "low", "is_reply": false, "subject": "Revenue share question", "text": "No rush, but what are the revenue share terms for implementation partners?"}
{"id": "L070", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Reseller in Spain", "text": "We are a software reseller in Spain and would like to resell your product. What are the partner requirements?"}
{"id": "L071", "intent": "referral_partner", "urgency": "normal", "is_reply": true, "subject": "Re: Partner program", "text": "Thanks. We signed the partner agreement. How do we register deals and track referrals?"}
{"id": "L072", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Alliance proposal", "text": "Our company would like to form a strategic alliance focusing on joint go-to-market in the Nordics."}
{"id": "L073", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Introducing a client", "text": "One of our clients, Fabrikam, needs a tool like yours. I'm their implementation partner - could we set them up together?"}
{"id": "L074", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Agency partnership", "text": "We're a marketing agency managing outbound for 30 clients. Is there an agency partnership with volume terms?"}
{"id": "L075", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Unacceptable service", "text": "This is unacceptable. I've been waiting for a response for 9 days and no one has responded to my ticket. I want to speak to a manager."}
{"id": "L076", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Very disappointed", "text": "I'm very disappointed with the onboarding. We were promised a dedicated manager and never heard from anyone."}
{"id": "L077", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Third time asking", "text": "This is the third time I'm asking for the same fix. Frustrating doesn't begin to describe it. Escalate this please."}
{"id": "L078", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Rude support agent", "text": "The support agent I spoke to yesterday was rude and hung up on me. Poor service."}
{"id": "L079", "intent": "complaint", "urgency": "normal", "is_reply": true, "subject": "Re: Your outreach", "text": "Stop spamming me. This is the fifth email this week. Terrible practice and I will leave a bad review."}
{"id": "L080", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Charged after cancelling - furious", "text": "I cancelled in August and you charged me again. I'm furious. If this is not refunded I'll file a chargeback."}
{"id": "L081", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Misled by sales", "text": "Your sales rep misled us about the Salesforce integration. It doesn't do half of what was promised. Not happy."}
{"id": "L082", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Worst experience", "text": "Worst software experience I've had. Data lost twice, support ignored. We want out of the contract."}
{"id": "L083", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Formal complaint", "text": "Please treat this as a formal complaint about the repeated downtime in November and the lack of communication."}
{"id": "L084", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Fed up", "text": "Fed up with the constant bugs. Every update breaks something. We are seriously unhappy."}
{"id": "L085", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Legal action", "text": "If you continue to ignore our requests we will hand this over to our lawyer and consider legal action."}
{"id": "L086", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Ridiculous renewal increase", "text": "A 40% price increase at renewal with no notice is ridiculous. We feel completely let down."}
{"id": "L087", "intent": "complaint", "urgency": "normal", "is_reply": true, "subject": "Re: Ticket closed", "text": "You closed my ticket without fixing anything. That's awful customer care."}
{"id": "L088", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Quick question about your pipeline", "text": "Please remove me from your list."}
{"id": "L089", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "Unsubscribe", "text": "unsubscribe"}
{"id": "L090", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Idea for Contoso", "text": "Not interested. Take me off your mailing list and do not contact me again."}
{"id": "L091", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "Stop emailing me", "text": "Stop emailing me. I never signed up for this."}
{"id": "L092", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Following up", "text": "Opt out."}
{"id": "L093", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "Abmelden", "text": "Bitte abmelden, ich möchte keine E-Mails mehr erhalten."}
{"id": "L094", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: One more thing", "text": "Please stop sending these. No more emails."}
{"id": "L095", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "Remove my address", "text": "Remove me from all your lists, please, and delete my email address from your database."}
{"id": "L096", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Checking in", "text": "I've asked before - do not email me again. Opt-out of everything."}
{"id": "L097", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Saw your post", "text": "Kindly unsubscribe this address. Thank you."}
{"id": "L098", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "Mailing list", "text": "How do I get off your mailing list? The unsubscribe link is broken."}
{"id": "L099", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Re: Intro", "text": "Don't contact me anymore."}
{"id": "L100", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Helping Acme's SDR team", "text": "Thanks for reaching out, but we're not interested right now. We already use a competitor and are happy with our current vendor."}
{"id": "L101", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Idea for your team", "text": "Sounds interesting. Can you send more info or a case study from a company our size?"}
{"id": "L102", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Quick question", "text": "I'm not the right person for this. You might want to talk to our VP of Sales, Jane, cc'ing her here."}
{"id": "L103", "intent": "outreach_reply", "urgency": "low", "is_reply": true, "subject": "Re: Your note", "text": "Timing isn't right - we're mid-reorg. Circle back next quarter?"}
{"id": "L104", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Thought you'd like this", "text": "Curious - how is this different from what HubSpot already does for us?"}
{"id": "L105", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Outbound at Fabrikam", "text": "Tell me more. We've been struggling with reply rates."}
{"id": "L106", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Following up", "text": "Not a priority for us this year, sorry. Keep me posted on new features though."}
{"id": "L107", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Personalization at scale", "text": "Forwarded your email to our head of growth, she handles tooling decisions."}
{"id": "L108", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: A thought on your outbound", "text": "We already have a solution in place. Not for us."}
{"id": "L109", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Idea", "text": "Your email caught my attention. Do you have a one-pager I can share internally?"}
{"id": "L110", "intent": "outreach_reply", "urgency": "low", "is_reply": true, "subject": "Re: Checking in", "text": "Maybe later in the year. Reach out in Q3."}
{"id": "L111", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Intro", "text": "Thanks, looping in my colleague Tom who runs our SDR team."}
{"id": "L112", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Your product", "text": "Who else in logistics uses your solution? Would like to learn more before deciding."}
{"id": "L113", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Quick idea", "text": "Interested. What would you need from us to get started?"}
{"id": "L114", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Application for the SDR position", "text": "Hello, I'm applying for the SDR position posted on LinkedIn. My resume is attached. I have two years of outbound experience."}
{"id": "L115", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Podcast invitation", "text": "Hi, I host a podcast on B2B growth and would love to interview your founder for an episode in January."}
{"id": "L116", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "SEO services", "text": "We are a SEO agency and can get your site to page one. We offer guest post and backlinks packages at great prices."}
{"id": "L117", "intent": "other", "urgency": "low", "is_reply": false, "subject": "Happy holidays!", "text": "Happy holidays to the whole team, thanks for a great year working together!"}
{"id": "L118", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Press inquiry", "text": "I'm a journalist at TechDaily writing about AI in sales. Could someone from your team comment by Thursday?"}
{"id": "L119", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Conference sponsorship", "text": "We're organizing SalesConf 2027 in Berlin. Would you consider a sponsorship package?"}
{"id": "L120", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Vendor registration form", "text": "Our procurement team needs you to complete the vendor registration form and the security questionnaire attached."}
{"id": "L121", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Internship", "text": "I'm a student looking for an internship in marketing next summer. Are you hiring interns?"}
{"id": "L122", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Survey", "text": "Would you take 5 minutes to answer our survey on remote work tools?"}
{"id": "L123", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Congratulations!", "text": "Congratulations on the funding round! Well deserved."}
{"id": "L124", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Lead generation offer", "text": "Our offshore team can do lead generation for you at $5 per lead. Interested in a trial?"}
{"id": "L125", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Lunch?", "text": "Long time no see! Lunch next time I'm in town?"}
{"id": "L126", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Question", "text": "Hi, quick one: why was my card charged 49 EUR yesterday? I thought we were on the free plan."}
{"id": "L127", "intent": "support", "urgency": "normal", "is_reply": true, "subject": "Re: Pricing", "text": "We bought the Pro plan last month but the export feature is not working. Is that included in our plan?"}
{"id": "L128", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Let's schedule a call", "text": "Before we schedule anything, what's the pricing? Don't want to waste your time if it's out of budget."}
{"id": "L129", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Pricing info", "text": "Thanks for the pricing sheet. Let's set up a call next week to go through it with my CFO - Tuesday 2pm?"}
{"id": "L130", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Billing error AGAIN", "text": "I've been double charged AGAIN. This is unacceptable and the third time. Fix it or we cancel."}
{"id": "L131", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Partnership idea", "text": "We're not looking for partners. Please remove me from your outreach list."}
{"id": "L132", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Hello", "text": "The calendar integration does not work: meetings booked through the booking page don't show up in Google Calendar."}
{"id": "L133", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Your email", "text": "Interesting timing, we're reviewing tools now. Who do you typically work with?"}
{"id": "L134", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Subscription question", "text": "If I cancel my subscription today, will I get a refund for the unused months?"}
{"id": "L135", "intent": "referral_partner", "urgency": "normal", "is_reply": true, "subject": "Re: Helping your clients", "text": "I run an agency and several of our clients could use this. Is there a referral program before I introduce you?"}
{"id": "L136", "intent": "support", "urgency": "high", "is_reply": false, "subject": "URGENT", "text": "Urgent: imports are failing with an error since the update and our campaign launches today."}
{"id": "L137", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Re: Thanks", "text": "Thank you!"}
{"id": "L138", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Demo", "text": "Could I book a demo for my team of 8 next week? Mornings are best."}
{"id": "L139", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Licenses", "text": "How many licenses do we need for 3 teams and what's the cost per license?"}
{"id": "L140", "intent": "complaint", "urgency": "normal", "is_reply": true, "subject": "Re: Quick question", "text": "Your sales team keeps calling my personal phone. I find this intrusive and unacceptable."}
{"id": "L141", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Password reset link expired", "text": "The password reset link expires before I can use it. Could you help me reset my password?"}
"""";

    public const string HoldoutJsonl = """"
{"id": "H001", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Thursday", "text": "Thursday is tough for me. How about early next week, say Monday around 10?"}
{"id": "H002", "intent": "scheduling", "urgency": "normal", "is_reply": false, "subject": "Walkthrough for our ops team", "text": "Our ops lead wants to see the product. Could you propose two times in the coming days?"}
{"id": "H003", "intent": "scheduling", "urgency": "high", "is_reply": false, "subject": "Running late", "text": "I'm running 10 minutes late for our call, can we start at 2:10 instead?"}
{"id": "H004", "intent": "scheduling", "urgency": "normal", "is_reply": true, "subject": "Re: Intro call", "text": "Sure, put something on my calendar for after the holidays."}
{"id": "H005", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Question about plans", "text": "What's included in the Growth plan versus Pro, and what do they cost for 12 users?"}
{"id": "H006", "intent": "pricing", "urgency": "normal", "is_reply": true, "subject": "Re: Outbound tooling", "text": "Ballpark numbers? We're a team of 30 SDRs."}
{"id": "H007", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Education pricing", "text": "Is there special pricing for universities? We'd use it in our career office."}
{"id": "H008", "intent": "pricing", "urgency": "normal", "is_reply": false, "subject": "Monthly vs yearly", "text": "Do you charge less if we commit for two years?"}
{"id": "H009", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Emails stuck in outbox", "text": "About 40 emails have been sitting in the outbox since yesterday and never went out. What's going on?"}
{"id": "H010", "intent": "support", "urgency": "normal", "is_reply": false, "subject": "Can't find the settings", "text": "Where do I change the signature that gets appended to replies?"}
{"id": "H011", "intent": "support", "urgency": "high", "is_reply": false, "subject": "Locked out", "text": "My account got locked after too many attempts and I need it for a demo in an hour."}
{"id": "H012", "intent": "support", "urgency": "normal", "is_reply": true, "subject": "Re: Case 5521", "text": "The workaround helped for a day, now the duplicates are back in the contact list."}
{"id": "H013", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Wrong amount", "text": "Our last invoice says 1,200 but we agreed on 950. Could you correct it?"}
{"id": "H014", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Company card change", "text": "Finance wants to pay with a different company card from next month. How do we switch?"}
{"id": "H015", "intent": "billing", "urgency": "normal", "is_reply": false, "subject": "Tax form", "text": "Can you send your W-9 so we can process payments to you?"}
{"id": "H016", "intent": "billing", "urgency": "normal", "is_reply": true, "subject": "Re: Renewal", "text": "Please don't auto-renew. We'll decide in January and pay then if we continue."}
{"id": "H017", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Working together", "text": "We run a lead gen studio and think our clients would benefit from your tool. Could we work out a partner arrangement?"}
{"id": "H018", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Intro to a friend", "text": "A friend of mine runs sales at Tailspin and I think you two should talk. Want an intro?"}
{"id": "H019", "intent": "referral_partner", "urgency": "normal", "is_reply": false, "subject": "Technology partner", "text": "We'd like to become a technology partner and build a native connector to your API."}
{"id": "H020", "intent": "referral_partner", "urgency": "normal", "is_reply": true, "subject": "Re: Our agency", "text": "Do partners get a commission on every client they bring?"}
{"id": "H021", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Still broken after two weeks", "text": "Two weeks and the bug is still there. Your team keeps promising a fix. I'm done waiting."}
{"id": "H022", "intent": "complaint", "urgency": "normal", "is_reply": false, "subject": "Onboarding was a mess", "text": "Honestly the onboarding was a mess. Nobody showed up for the kickoff and we had to figure everything out ourselves."}
{"id": "H023", "intent": "complaint", "urgency": "normal", "is_reply": true, "subject": "Re: Survey", "text": "Since you asked: the product is fine, but your support is slow and dismissive. Very poor."}
{"id": "H024", "intent": "complaint", "urgency": "high", "is_reply": false, "subject": "Data deleted without warning", "text": "You deleted our archived campaigns without any warning. This is completely unacceptable."}
{"id": "H025", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: A quick idea", "text": "Please take this address off your list."}
{"id": "H026", "intent": "unsubscribe", "urgency": "normal", "is_reply": false, "subject": "no more", "text": "No more emails please."}
{"id": "H027", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: Follow up", "text": "remove"}
{"id": "H028", "intent": "unsubscribe", "urgency": "normal", "is_reply": true, "subject": "Re: For your team", "text": "I'd like to opt out of these messages."}
{"id": "H029", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Helping your SDRs", "text": "We're evaluating a few options this quarter, happy to take a look. What makes you different?"}
{"id": "H030", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Quick thought", "text": "Not me - try our marketing director, she owns this budget."}
{"id": "H031", "intent": "outreach_reply", "urgency": "low", "is_reply": true, "subject": "Re: Checking in", "text": "We just renewed with our current provider. Maybe next year."}
{"id": "H032", "intent": "outreach_reply", "urgency": "normal", "is_reply": true, "subject": "Re: Saw your LinkedIn post", "text": "Thanks, appreciate it. Send over a short deck."}
{"id": "H033", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Speaking opportunity", "text": "We'd love to have someone from your team speak at our meetup in March."}
{"id": "H034", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Out of curiosity", "text": "Are you the same company that used to be called Outbound Labs?"}
{"id": "H035", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Charity run", "text": "Our office is doing a charity run, would your team like to join?"}
{"id": "H036", "intent": "other", "urgency": "normal", "is_reply": false, "subject": "Freelance designer", "text": "I'm a freelance designer and love your brand. If you ever need illustrations, here's my portfolio."}
"""";

    public static IReadOnlyList<LabelledEmail> Emails { get; } =
        [.. LabelledSetEvaluation.Parse(LabelledJsonl.Split('\n')), .. LabelledSetEvaluation.Parse(HoldoutJsonl.Split('\n'))];
}
